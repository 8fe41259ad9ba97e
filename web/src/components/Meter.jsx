// Meter is a labelled usage bar; the colour turns warm above 80 % and red above 95 %.
export function Meter({ label, fraction, text }) {
  const f = Math.max(0, Math.min(1, Number(fraction) || 0));
  const level = f > 0.95 ? 'crit' : f > 0.8 ? 'warn' : 'ok';
  return (
    <div class="meter">
      <div class="meter-head"><span>{label}</span><span class="meter-text">{text}</span></div>
      <div class="meter-bar" role="meter" aria-label={label} aria-valuemin="0" aria-valuemax="100" aria-valuenow={Math.round(f * 100)}>
        <div class={`meter-fill meter-${level}`} style={{ width: `${(f * 100).toFixed(1)}%` }} />
      </div>
    </div>
  );
}
