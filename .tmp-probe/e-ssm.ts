import { SSMClient, GetParameterCommand } from '@aws-sdk/client-ssm';
export const s = new SSMClient({ region: 'us-east-1' });
export const p = GetParameterCommand;
