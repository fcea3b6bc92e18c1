import { RemovalPolicy } from 'aws-cdk-lib';

/**
 * For everything that holds data (buckets, the key, log groups) and the API Gateway logging role:
 * kept when the stack is updated away or deleted, yet removed when the stack's creation rolls
 * back, so a failed first deploy leaves no orphaned buckets or keys behind.
 */
export const KEEP_DATA = RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
