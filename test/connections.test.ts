import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./support/stack.js";

/** Opens a raw TCP connection to the facade and resolves once it is connected. */
function open(stack: Stack): Promise<Socket> {
  const { port, hostname } = new URL(stack.facade.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ port: Number(port), host: hostname }, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Milliseconds from now until the server closes the socket. */
function closedAfter(socket: Socket): Promise<number> {
  const started = performance.now();
  return new Promise((resolve) => {
    socket.on("data", () => {});
    socket.on("error", () => {});
    socket.once("close", () => resolve(performance.now() - started));
  });
}

/** Sends one keep-alive request on a raw socket and resolves once its whole answer is in. */
function requestOn(socket: Socket, path = "/health"): Promise<string> {
  return new Promise((resolve) => {
    let answer = "";
    const onData = (chunk: Buffer) => {
      answer += chunk.toString("latin1");
      const [head, body = ""] = answer.split("\r\n\r\n");
      const length = Number(/content-length: (\d+)/i.exec(head ?? "")?.[1] ?? 0);
      if (answer.includes("\r\n\r\n") && body.length >= length) {
        socket.off("data", onData);
        resolve(head!);
      }
    };
    socket.on("data", onData);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n`);
  });
}

describe("connections are bounded and their timeouts enforced on time", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      HTTP_HEADERS_TIMEOUT_MS: "1000",
      HTTP_RECEIVE_TIMEOUT_MS: "2000",
      HTTP_KEEP_ALIVE_TIMEOUT_MS: "1000",
      HTTP_MAX_CONNECTIONS: "40",
    });
  });
  afterAll(() => stack.close());

  it("closes a connection that sends nothing within the headers timeout plus a second", async () => {
    const socket = await open(stack);
    expect(await closedAfter(socket)).toBeLessThan(1_000 + 1_000);
  });

  it("closes a connection sending its headers slowly within the headers timeout plus a second", async () => {
    const socket = await open(stack);
    const closed = closedAfter(socket);
    socket.write("POST /graphql HTTP/1.1\r\nHost: localhost\r\n");
    const trickle = setInterval(() => socket.writable && socket.write("x-slow: 1\r\n"), 200);
    try {
      expect(await closed).toBeLessThan(1_000 + 1_000);
    } finally {
      clearInterval(trickle);
    }
  });

  it("closes a connection sending its body slowly within the request timeout plus a second", async () => {
    const socket = await open(stack);
    const closed = closedAfter(socket);
    socket.write(
      "POST /graphql HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{",
    );
    const trickle = setInterval(() => socket.writable && socket.write(" "), 200);
    try {
      expect(await closed).toBeLessThan(2_000 + 1_000);
    } finally {
      clearInterval(trickle);
    }
  });

  it("closes an idle keep-alive connection within the keep-alive timeout plus a second", async () => {
    const socket = await open(stack);
    expect(await requestOn(socket)).toMatch(/^HTTP\/1.1 200/);
    expect(await closedAfter(socket)).toBeLessThan(1_000 + 1_000);
  });
});

describe("open connections are bounded by HTTP_MAX_CONNECTIONS", () => {
  let stack: Stack;
  beforeAll(async () => {
    // Default timeouts: here only the bound closes connections.
    stack = await startStack({ HTTP_MAX_CONNECTIONS: "40" });
  });
  afterAll(() => stack.close());

  it("keeps answering /health with four times as many idle connections opened: the longest idle are closed first", async () => {
    const sockets: Socket[] = [];
    const closes: Promise<number>[] = [];
    try {
      for (let i = 0; i < 160; i++) {
        const socket = await open(stack);
        closes.push(closedAfter(socket));
        sockets.push(socket);
        // Half go idle after a request (keep-alive), half never send a byte.
        if (i % 2 === 0) expect(await requestOn(socket)).toMatch(/^HTTP\/1.1 200/);
      }
      const count = await new Promise<number>((resolve, reject) =>
        stack.facade.server.getConnections((error, open) => (error ? reject(error) : resolve(open))),
      );
      expect(count).toBeLessThanOrEqual(40);
      expect((await fetch(`${stack.facade.url}/health`)).status).toBe(200);
      // The first opened, idle longest, were closed by the server (their timeouts are 10 s and more).
      await Promise.all(closes.slice(0, 10));
    } finally {
      for (const socket of sockets) socket.destroy();
      await Promise.all(closes);
    }
  });
});
