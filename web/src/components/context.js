// The app context: the session (and its API client), the node and what its
// API offers, and the shared task dialog.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export const AppContext = createContext(null);

/** useApp returns { session, api, node, features, openTask }. */
export function useApp() {
  return useContext(AppContext);
}
