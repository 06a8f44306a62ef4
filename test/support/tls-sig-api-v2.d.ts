// Types for Tencent's official UserSig library (CommonJS, untyped), used by tests only:
// it is the client an app already has, so tickets it makes must pass our checks.
declare module "tls-sig-api-v2" {
  export class Api {
    constructor(sdkappid: number | string, key: string);
    /** Signs with the current clock (`Date.now()`), valid for `expire` seconds. */
    genUserSig(userid: string, expire: number): string;
    genPrivateMapKey(userid: string, expire: number, roomid: number, privilegeMap: number): string;
  }
  const TLSSigAPIv2: { Api: typeof Api };
  export default TLSSigAPIv2;
}
