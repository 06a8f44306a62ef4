// The wire of Tencent's `v4/im_open_login_svc/kick` ("invalidate account login states"), shared
// by our client (kick.ts) and the local stand-in. One account a call; the answer is the bare
// envelope `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}` (rest-wire.ts). Source:
// tencentcloud.com/document/product/1047/34957 (Chinese cloud.tencent.com/document/product/269/3853);
// docs/TENCENT.md has the table.
import * as z from "zod/mini";
import { ACCOUNT_RULE, validAccount } from "../../presence/account.ts";

export const KICK_PATH = "/v4/im_open_login_svc/kick";

/** The request body: `UserID`, the one account whose login state is invalidated. */
export const kickRequest = z.object({ UserID: z.string().check(z.refine(validAccount, ACCOUNT_RULE)) });
export type KickRequest = z.infer<typeof kickRequest>;
