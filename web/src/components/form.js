// useForm keeps a form's values and the API's per-field errors, so every
// form shows each parameter's message next to its field.
import { useState } from 'preact/hooks';

/**
 * splitErrors divides an API error into messages for the form's own fields
 * and one message for the rest (other parameters or a non-field failure).
 */
export function splitErrors(err, fieldNames) {
  const fields = {};
  const other = [];
  if (err && err.errors) {
    for (const [name, msg] of Object.entries(err.errors)) {
      if (fieldNames.includes(name)) fields[name] = msg;
      else other.push(`${name}: ${msg}`);
    }
  }
  let message = '';
  if (other.length) message = `${err.message} ${other.join('; ')}`;
  else if (!Object.keys(fields).length) message = (err && err.message) || String(err);
  else message = 'Please correct the marked fields.';
  return { fields, message };
}

/** useForm returns the form state; fieldNames are the parameters the form shows. */
export function useForm(initial, fieldNames = Object.keys(initial)) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState({});
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);

  function set(name, value) {
    setValues((prev) => ({ ...prev, [name]: value }));
    setErrors((prev) => {
      if (!prev[name]) return prev;
      const next = { ...prev };
      delete next[name];
      return next;
    });
  }

  /** fail shows an API error on the form: per-field messages next to their fields, the rest above. */
  function fail(err) {
    const split = splitErrors(err, fieldNames);
    setErrors(split.fields);
    setMessage(split.message);
  }

  /** clear removes every error message. */
  function clear() {
    setErrors({});
    setMessage('');
  }

  /** submit runs fn(values); API errors land next to their fields. It resolves to fn's result, or undefined on failure. */
  async function submit(fn) {
    setBusy(true);
    setErrors({});
    setMessage('');
    try {
      return await fn(values);
    } catch (err) {
      fail(err);
      return undefined;
    } finally {
      setBusy(false);
    }
  }

  return { values, errors, message, busy, set, submit, fail, clear, setValues, setMessage };
}
