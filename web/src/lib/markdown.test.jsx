import { describe, expect, it } from 'vitest';
import { render } from 'preact';
import { Markdown, parseBlocks } from './markdown.js';

function html(text) {
  const el = document.createElement('div');
  render(<Markdown text={text} />, el);
  return el.innerHTML;
}

describe('markdown notes', () => {
  it('renders the usual subset', () => {
    expect(html('# Rack 4\n\nOwner: **ops** team, see *wiki*.\n\n- one\n- `two`\n\n1. a\n2. b')).toBe(
      '<div class="markdown"><h2>Rack 4</h2><p>Owner: <strong>ops</strong> team, see <em>wiki</em>.</p>'
      + '<ul><li>one</li><li><code>two</code></li></ul><ol><li>a</li><li>b</li></ol></div>');
    expect(html('```\nzpool status\n```\n> note\n\n---')).toBe(
      '<div class="markdown"><pre><code>zpool status</code></pre><blockquote><p>note</p></blockquote><hr></div>');
  });
  it('never lets HTML or script through', () => {
    const out = html('<img src=x onerror=alert(1)> <script>alert(2)</script>\n\n[x](javascript:alert(3)) [ok](https://example.com)');
    expect(out).not.toContain('<img');
    expect(out).not.toContain('<script');
    expect(out).not.toContain('href="javascript');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(out).toContain('[x](javascript:alert(3))');
    expect(out).toContain('<a href="https://example.com" rel="noopener noreferrer" target="_blank">ok</a>');
  });
  it('keeps list continuation lines and code indentation', () => {
    expect(parseBlocks('- a\n  more\n- b')).toEqual([{ type: 'ul', items: ['a\nmore', 'b'] }]);
    expect(parseBlocks('    ip a\n      x')).toEqual([{ type: 'code', text: 'ip a\n  x' }]);
  });
});
