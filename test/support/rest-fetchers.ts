// Fetchers that stand in for Tencent's REST API in the clients' unit tests: the UserSig check
// Tencent makes before anything else, a network that refuses to connect, and an answer that
// never comes (until the client's timeout aborts it).
import { verifyUserSig } from "../../src/tencent/rest/usersig";
import { TEST_SECRET_KEY } from "./usersig";

/** Tencent's FAIL answer to the request's UserSig (as TEST_SECRET_KEY signs), or null when it verifies. */
export async function userSigRefusal(url: URL): Promise<Response | null> {
  const check = await verifyUserSig(
    TEST_SECRET_KEY,
    url.searchParams.get("usersig") ?? "",
    { sdkAppId: url.searchParams.get("sdkappid") ?? "", identifier: url.searchParams.get("identifier") ?? "" },
    Math.floor(Date.now() / 1000),
  );
  return check.ok
    ? null
    : Response.json({ ActionStatus: "FAIL", ErrorCode: check.errorCode, ErrorInfo: check.errorInfo });
}

/** A network that refuses: the error quotes the URL (UserSig included), as runtimes do. */
export const connectFails = (async (input: RequestInfo | URL) => {
  throw new TypeError(`connect failed: ${String(input)}`);
}) as typeof fetch;

/** No answer, ever: the promise rejects only when the caller's signal aborts. */
export const neverAnswers = ((_input: RequestInfo | URL, init?: RequestInit) =>
  new Promise<Response>((_resolve, reject) => {
    init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
  })) as typeof fetch;
