// The API token lives in sessionStorage only: gone when the tab closes, never in
// localStorage, a cookie or the URL.
const TOKEN_KEY = "presence-edge.token";
const GRID_KEY = "presence-edge.grid";

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: () => sessionStorage.removeItem(TOKEN_KEY),
  gridAccounts: (): string => sessionStorage.getItem(GRID_KEY) ?? "",
  setGridAccounts: (text: string) => sessionStorage.setItem(GRID_KEY, text),
};
