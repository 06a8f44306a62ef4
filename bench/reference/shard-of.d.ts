// Types of shard-of.js, for the test that holds it equal to src/online/shard.ts.
export declare function fnv1a32(text: string): number;
export declare const shardOf: (account: string, shards: number) => number;
export declare const shardName: (app: string, shards: number, index: number) => string;
