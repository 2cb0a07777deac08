/**
 * Loopback stand-ins for SES v2 that fail the way SES does in the field, for the real SES v2
 * client (pointed at them with AWS_ENDPOINT_URL_SESV2): accept, never answer, accept after
 * the client's timeout, refuse (MessageRejected), or nothing listening at all.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** How the stand-in answers `SendEmail`. */
export type SesBehaviour =
  | { readonly kind: "accept" }
  | { readonly kind: "hang" }
  | { readonly kind: "accept-late"; readonly afterMs: number }
  | { readonly kind: "reject" };

/** One SendEmail request the stand-in received (and, except for `reject`, "accepted"). */
export interface ReceivedEmail {
  readonly to: string[];
  readonly subject: string;
  readonly text: string;
}

/** A running stand-in. */
export interface SesServer {
  readonly endpoint: string;
  /** Every SendEmail request received, in order (each one an email SES would deliver). */
  readonly received: ReceivedEmail[];
  /** Resolves once `count` requests have been received. */
  waitForRequests(count: number): Promise<void>;
  close(): Promise<void>;
}

function parse(body: string): ReceivedEmail {
  const input = JSON.parse(body) as {
    Destination?: { ToAddresses?: string[] };
    Content?: { Simple?: { Subject?: { Data?: string }; Body?: { Text?: { Data?: string } } } };
  };
  return {
    to: input.Destination?.ToAddresses ?? [],
    subject: input.Content?.Simple?.Subject?.Data ?? "",
    text: input.Content?.Simple?.Body?.Text?.Data ?? "",
  };
}

function answerAccepted(res: ServerResponse): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ MessageId: `local-${Date.now()}` }));
}

/** Start a stand-in on a free loopback port. */
export async function startSesServer(behaviour: SesBehaviour): Promise<SesServer> {
  const received: ReceivedEmail[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const open = new Set<ServerResponse>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push(parse(Buffer.concat(chunks).toString("utf8")));
      for (const waiter of waiters.filter((w) => received.length >= w.count)) waiter.resolve();
      switch (behaviour.kind) {
        case "accept":
          answerAccepted(res);
          return;
        case "hang":
          open.add(res);
          return;
        case "accept-late": {
          // SES takes the email; the answer arrives after the client has given up.
          open.add(res);
          const timer = setTimeout(() => {
            timers.delete(timer);
            answerAccepted(res);
          }, behaviour.afterMs);
          timers.add(timer);
          return;
        }
        case "reject":
          res.writeHead(400, {
            "content-type": "application/json",
            "x-amzn-errortype": "MessageRejected",
          });
          res.end(JSON.stringify({ message: "Email address is not verified." }));
          return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    waitForRequests: (count) =>
      received.length >= count
        ? Promise.resolve()
        : new Promise((resolve) => {
            waiters.push({ count, resolve });
          }),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An endpoint where nothing listens (a port that was free a moment ago): ECONNREFUSED. */
export async function closedPortEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
