import { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { type HttpApi, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { LogKey } from './log-key.ts';

/**
 * The `$default` stage of one of the stack's HTTP APIs: throttled, with access logs that name the
 * route, status and caller's IP, never the caller's identity or a body, kept six months and encrypted
 * with the stack's log key. Created in `scope` as `AccessLogs` and `Stage`.
 */
export function loggedStage(
  scope: Construct,
  api: HttpApi,
  throttle: { rateLimit: number; burstLimit: number },
): HttpStage {
  const accessLogs = new LogGroup(scope, 'AccessLogs', {
    retention: RetentionDays.SIX_MONTHS,
    encryptionKey: LogKey.of(scope),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return new HttpStage(scope, 'Stage', {
    httpApi: api,
    stageName: '$default',
    autoDeploy: true,
    throttle,
    accessLogSettings: {
      destination: new LogGroupLogDestination(accessLogs),
      format: AccessLogFormat.jsonWithStandardFields({
        caller: false,
        httpMethod: true,
        ip: true,
        protocol: true,
        requestTime: true,
        resourcePath: true,
        responseLength: true,
        status: true,
        user: false,
      }),
    },
  });
}
