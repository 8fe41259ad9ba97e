// The plans the disk create wizards show come from the daemon: each create
// endpoint answers dry-run=1 with the plan its task runs — the commands
// (argument vectors) and the files it writes — built by the very code that
// builds the task, after the same checks, with nothing run or written.
// Nothing here knows how a pool, a volume group or a file system is made.

/** askPlan asks the create endpoint of kind for the plan of params. */
export function askPlan(api, base, kind, params) {
  return api.post(`${base}/${kind}`, { ...params, 'dry-run': true });
}

/** commandLine is a step's argument vector as one line ('' for a step without a command). */
export function commandLine(step) {
  return step.cmd ? step.cmd.join(' ') : '';
}

/** errorText is a refusal as one text: the message, then each parameter's error. */
export function errorText(err) {
  const fields = Object.entries((err && err.errors) || {}).map(([k, m]) => `${k}: ${String(m).trim()}`);
  return [(err && err.message) || String(err), ...fields].join('\n');
}

/**
 * planner returns schedule(params): once delay ms have passed without
 * another call it asks ask(params) and hands onResult {plan} or {error},
 * only for the newest request, so a slow answer never replaces a newer
 * one. schedule.cancel() drops what is pending.
 */
export function planner(ask, onResult, delay = 300) {
  let timer = null;
  let seq = 0;
  function schedule(params) {
    clearTimeout(timer);
    const mine = ++seq;
    timer = setTimeout(async () => {
      let result;
      try {
        result = { plan: await ask(params) };
      } catch (error) {
        result = { error };
      }
      if (mine === seq) onResult(result);
    }, delay);
  }
  schedule.cancel = () => {
    clearTimeout(timer);
    seq++;
  };
  return schedule;
}
