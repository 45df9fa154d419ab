/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query ExampleClient($id: ID!) {\n  oauthClient(id: $id) {\n    id\n    name\n    redirectUri\n    isVerified\n    createdAt\n    applicationBindings {\n      applicationId\n      config {\n        jsonConfig\n      }\n    }\n  }\n}": typeof types.ExampleClientDocument,
    "mutation RegenerateSecret($id: ID!) {\n  regenerateClientSecret(input: {clientId: $id}) {\n    client {\n      id\n      clientSecret\n      updatedAt\n    }\n  }\n}": typeof types.RegenerateSecretDocument,
};
const documents: Documents = {
    "query ExampleClient($id: ID!) {\n  oauthClient(id: $id) {\n    id\n    name\n    redirectUri\n    isVerified\n    createdAt\n    applicationBindings {\n      applicationId\n      config {\n        jsonConfig\n      }\n    }\n  }\n}": types.ExampleClientDocument,
    "mutation RegenerateSecret($id: ID!) {\n  regenerateClientSecret(input: {clientId: $id}) {\n    client {\n      id\n      clientSecret\n      updatedAt\n    }\n  }\n}": types.RegenerateSecretDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ExampleClient($id: ID!) {\n  oauthClient(id: $id) {\n    id\n    name\n    redirectUri\n    isVerified\n    createdAt\n    applicationBindings {\n      applicationId\n      config {\n        jsonConfig\n      }\n    }\n  }\n}"): (typeof documents)["query ExampleClient($id: ID!) {\n  oauthClient(id: $id) {\n    id\n    name\n    redirectUri\n    isVerified\n    createdAt\n    applicationBindings {\n      applicationId\n      config {\n        jsonConfig\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RegenerateSecret($id: ID!) {\n  regenerateClientSecret(input: {clientId: $id}) {\n    client {\n      id\n      clientSecret\n      updatedAt\n    }\n  }\n}"): (typeof documents)["mutation RegenerateSecret($id: ID!) {\n  regenerateClientSecret(input: {clientId: $id}) {\n    client {\n      id\n      clientSecret\n      updatedAt\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;