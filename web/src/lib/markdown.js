// A small Markdown renderer for node notes that builds Preact elements, not
// HTML: text is always a text node, so nothing in a note can inject markup
// or script. Covered: ATX headings, paragraphs, hard line breaks, bullet and
// numbered lists, block quotes, fenced and indented code, horizontal rules,
// **bold**, *italic*, `code`, and [links](url) — links only to http, https
// and mailto (anything else stays plain text). Raw HTML shows as written.
import { h } from 'preact';

const SAFE_URL = /^(https?:\/\/|mailto:)/i;

/** parseBlocks splits the text into blocks: {type, ...}. */
export function parseBlocks(text) {
  const lines = String(text || '').replace(/\r\n?/g, '\n').split('\n');
  const blocks = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    let m;
    if (/^\s*$/.test(line)) { i++; continue; }
    if ((m = /^\s*(```|~~~)/.exec(line))) {
      const fence = m[1];
      const body = [];
      for (i++; i < lines.length && !lines[i].trim().startsWith(fence); i++) body.push(lines[i]);
      i++;
      blocks.push({ type: 'code', text: body.join('\n') });
    } else if ((m = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line))) {
      blocks.push({ type: 'heading', level: m[1].length, text: m[2] });
      i++;
    } else if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      blocks.push({ type: 'rule' });
      i++;
    } else if (/^ {4}|^\t/.test(line)) {
      const body = [];
      for (; i < lines.length && (/^ {4}|^\t/.test(lines[i]) || /^\s*$/.test(lines[i])); i++) body.push(lines[i].replace(/^ {4}|^\t/, ''));
      blocks.push({ type: 'code', text: body.join('\n').replace(/\n+$/, '') });
    } else if (/^\s*>/.test(line)) {
      const body = [];
      for (; i < lines.length && /^\s*>/.test(lines[i]); i++) body.push(lines[i].replace(/^\s*>\s?/, ''));
      blocks.push({ type: 'quote', blocks: parseBlocks(body.join('\n')) });
    } else if ((m = /^\s*([-*+]|\d{1,9}[.)])\s+/.exec(line))) {
      const ordered = /\d/.test(m[1]);
      const items = [];
      const itemRe = ordered ? /^\s*\d{1,9}[.)]\s+(.*)$/ : /^\s*[-*+]\s+(.*)$/;
      for (; i < lines.length; i++) {
        const im = itemRe.exec(lines[i]);
        if (im) items.push(im[1]);
        else if (items.length && /^\s{2,}\S/.test(lines[i])) items[items.length - 1] += '\n' + lines[i].trim();
        else break;
      }
      blocks.push({ type: ordered ? 'ol' : 'ul', items });
    } else {
      const body = [];
      for (; i < lines.length && !/^\s*$/.test(lines[i]) && !/^(#{1,6}\s|\s*```|\s*~~~|\s*>|\s*([-*+]|\d{1,9}[.)])\s+)/.test(lines[i]); i++) body.push(lines[i]);
      blocks.push({ type: 'para', text: body.join('\n') });
    }
  }
  return blocks;
}

const INLINE = /(`+)([\s\S]*?[^`])\1(?!`)|\*\*([\s\S]+?)\*\*|__([\s\S]+?)__|\*([^*\s][^*]*?)\*|_([^_\s][^_]*?)_|\[([^\]]+)\]\(\s*([^()\s]+)\s*\)|<(https?:\/\/[^>\s]+)>|( {2,}|\\)\n/;

/** inline renders emphasis, code, links and hard breaks of one block's text into children. */
export function inline(text) {
  const out = [];
  let rest = String(text);
  while (rest) {
    const m = INLINE.exec(rest);
    if (!m) { out.push(rest); break; }
    if (m.index) out.push(rest.slice(0, m.index));
    if (m[1]) out.push(h('code', null, m[2].trim()));
    else if (m[3] || m[4]) out.push(h('strong', null, inline(m[3] || m[4])));
    else if (m[5] || m[6]) out.push(h('em', null, inline(m[5] || m[6])));
    else if (m[7]) out.push(SAFE_URL.test(m[8]) ? h('a', { href: m[8], rel: 'noopener noreferrer', target: '_blank' }, inline(m[7])) : m[0]);
    else if (m[9]) out.push(h('a', { href: m[9], rel: 'noopener noreferrer', target: '_blank' }, m[9]));
    else out.push(h('br', null));
    rest = rest.slice(m.index + m[0].length);
  }
  return out;
}

function block(b, key) {
  switch (b.type) {
    case 'heading': return h(`h${Math.min(6, b.level + 1)}`, { key }, inline(b.text));
    case 'code': return h('pre', { key }, h('code', null, b.text));
    case 'rule': return h('hr', { key });
    case 'quote': return h('blockquote', { key }, b.blocks.map(block));
    case 'ul': case 'ol': return h(b.type, { key }, b.items.map((t, i) => h('li', { key: i }, inline(t))));
    default: return h('p', { key }, inline(b.text));
  }
}

/** Markdown renders a note. Headings start at h2 so a note never outranks the page's title. */
export function Markdown({ text }) {
  return h('div', { class: 'markdown' }, parseBlocks(text).map(block));
}
