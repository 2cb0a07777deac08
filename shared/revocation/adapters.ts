/**
 * Choose the revocation writer's adapters from its config, once per container:
 *
 * | mode | table | AdminGetUser |
 * | --- | --- | --- |
 * | AWS (`localMode` false) | DynamoDB | Cognito |
 * | local, endpoint set (`AWS_ENDPOINT_URL_DYNAMODB` / `..._COGNITO_IDENTITY_PROVIDER`) | that engine (dynalite) | that engine (cognito-local) |
 * | local, no endpoint | a log line | a log line, no user found |
 */
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { localEngineOptions, sdkClientConfig } from "../aws/clients";
import type { Logger } from "../logger";
import type { RevocationWriterConfig } from "./config";
import { dynamoRevocationSink, type RevocationSink } from "./store";
import { cognitoUserDirectory, type UserDirectory } from "./writer";

/** The writer's adapters, plus a label of each for the cold-start log. */
export interface RevocationWriterAdapters {
  readonly sink: RevocationSink;
  readonly directory: UserDirectory;
  readonly describe: { readonly sink: string; readonly directory: string };
}

/** Build the adapters for `config` (clients created here, once). */
export function createRevocationWriterAdapters(
  config: RevocationWriterConfig,
  logger: Logger,
): RevocationWriterAdapters {
  const sdk = sdkClientConfig(config);
  const local = (endpoint: string) => ({
    ...sdk,
    ...localEngineOptions(endpoint, config.awsRegion),
  });
  let sink: RevocationSink;
  let sinkLabel: string;
  if (!config.localMode) {
    sink = dynamoRevocationSink(new DynamoDBClient(sdk), config.tableName);
    sinkLabel = `dynamodb:${config.tableName}`;
  } else if (config.dynamoEndpoint !== undefined) {
    sink = dynamoRevocationSink(new DynamoDBClient(local(config.dynamoEndpoint)), config.tableName);
    sinkLabel = `dynamodb:${config.tableName}@${config.dynamoEndpoint}`;
  } else {
    sink = {
      async write(sub, revokedAt, ttlSeconds) {
        logger.info("LOCAL stand-in: revocation not written to DynamoDB", {
          sub,
          revokedAt,
          ttlSeconds,
        });
      },
    };
    sinkLabel = "log";
  }
  let directory: UserDirectory;
  let directoryLabel: string;
  if (!config.localMode) {
    directory = cognitoUserDirectory(new CognitoIdentityProviderClient(sdk));
    directoryLabel = "cognito";
  } else if (config.cognitoEndpoint !== undefined) {
    directory = cognitoUserDirectory(
      new CognitoIdentityProviderClient(local(config.cognitoEndpoint)),
    );
    directoryLabel = `cognito@${config.cognitoEndpoint}`;
  } else {
    directory = {
      async subOf(userPoolId, username) {
        logger.info("LOCAL stand-in: AdminGetUser not sent (no such user)", {
          userPoolId,
          username,
        });
        return undefined;
      },
    };
    directoryLabel = "log";
  }
  return { sink, directory, describe: { sink: sinkLabel, directory: directoryLabel } };
}
