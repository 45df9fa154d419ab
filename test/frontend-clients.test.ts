import { ApolloClient, gql, HttpLink, InMemoryCache } from "@apollo/client";
import { Client, cacheExchange, fetchExchange } from "@urql/core";
import { parse } from "graphql";
import { GraphQLClient } from "graphql-request";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApplicationsSubgraph } from "../src/dev-supergraph/applications-subgraph.js";
import { composeGuild } from "../src/dev-supergraph/compose.js";
import { type RunningGateway, startGateway } from "../src/dev-supergraph/gateway.js";
import { EXAMPLE_CLIENT_ID } from "../src/dev-upstream/seed.js";
import { READ, type Stack, startStack } from "./support/stack.js";

/**
 * The GraphQL clients frontend teams use, with their usual options, against this service
 * directly and through Hive Gateway: Apollo Client (POST, and GET for queries), urql (POST,
 * and `preferGetMethod`), graphql-request. Each sends the caller's bearer token.
 */
const QUERY = `query ExampleClient($id: ID!) { oauthClient(id: $id) { id name } }`;
const EXPECTED = { oauthClient: { id: EXAMPLE_CLIENT_ID, name: "My OAuth App" } };

let stack: Stack;
let applications: Awaited<ReturnType<typeof startApplicationsSubgraph>>;
let gateway: RunningGateway;
let token: string;

beforeAll(async () => {
  stack = await startStack();
  token = await stack.mint([READ]);
  applications = await startApplicationsSubgraph();
  const { body } = await stack.graphql(`{ _service { sdl } }`, { token: null });
  const supergraph = composeGuild([
    { name: "oauth-clients", typeDefs: parse(body.data!._service.sdl), url: stack.facade.graphqlUrl },
    { name: "applications", typeDefs: applications.typeDefs, url: applications.url },
  ]);
  gateway = await startGateway({ supergraph, issuer: stack.upstream, enforce: true });
});
afterAll(async () => {
  await gateway?.close();
  await applications?.close();
  await stack?.close();
});

/** Where the clients are pointed: this service itself, or the gateway in front of it. */
const targets = () => ({ direct: stack.facade.graphqlUrl, gateway: gateway.url });

describe.each(["direct", "gateway"] as const)("frontend clients, %s", (target) => {
  const url = () => targets()[target];
  const headers = () => ({ authorization: `Bearer ${token}` });

  it.each([false, true])("Apollo Client (useGETForQueries: %s)", async (useGETForQueries) => {
    const client = new ApolloClient({
      link: new HttpLink({ uri: url(), headers: headers(), useGETForQueries }),
      cache: new InMemoryCache(),
    });
    const { data, error } = await client.query({ query: gql(QUERY), variables: { id: EXAMPLE_CLIENT_ID } });
    expect(error).toBeUndefined();
    expect(data).toMatchObject({ oauthClient: { id: EXAMPLE_CLIENT_ID, name: "My OAuth App" } });
  });

  it.each([false, true])("urql (preferGetMethod: %s)", async (preferGetMethod) => {
    const client = new Client({
      url: url(),
      exchanges: [cacheExchange, fetchExchange],
      preferGetMethod: preferGetMethod ? "force" : false,
      fetchOptions: () => ({ headers: headers() }),
    });
    const result = await client.query(QUERY, { id: EXAMPLE_CLIENT_ID }).toPromise();
    expect(result.error).toBeUndefined();
    // urql's document cache adds __typename to every selection.
    expect(result.data).toMatchObject(EXPECTED);
  });

  it("graphql-request", async () => {
    const client = new GraphQLClient(url(), { headers: headers() });
    expect(await client.request(QUERY, { id: EXAMPLE_CLIENT_ID })).toEqual(EXPECTED);
  });
});
