// The API token lives in sessionStorage only: gone when the tab closes, never in
// localStorage, a cookie or the URL. The live grid's accounts, and whether it watches them,
// live beside it, so a reload keeps the grid; signing out forgets all three.
const TOKEN_KEY = "presence-edge.token";
const GRID_KEY = "presence-edge.grid";
const GRID_WATCHING_KEY = "presence-edge.grid-watching";

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  /** A refused token: forgotten, the grid kept for the next sign-in. */
  forgetToken: () => sessionStorage.removeItem(TOKEN_KEY),
  signOut: () => {
    for (const key of [TOKEN_KEY, GRID_KEY, GRID_WATCHING_KEY]) sessionStorage.removeItem(key);
  },
  gridAccounts: (): string => sessionStorage.getItem(GRID_KEY) ?? "",
  setGridAccounts: (text: string) => sessionStorage.setItem(GRID_KEY, text),
  gridWatching: (): boolean => sessionStorage.getItem(GRID_WATCHING_KEY) === "yes",
  setGridWatching: (watching: boolean) => sessionStorage.setItem(GRID_WATCHING_KEY, watching ? "yes" : "no"),
};
