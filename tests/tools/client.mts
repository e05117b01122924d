// A typed client of the Users API, as a TypeScript project would write one: openapi-fetch over
// the types that openapi-typescript generates from the served /openapi.json.
//
// tests/test_contract_tools.py copies this file next to the generated schema.d.ts, checks it
// with `tsc --strict`, compiles it and runs it with node:
//
//     node client.mjs http://127.0.0.1:8000 <token key>
//
// It prints one JSON object with each response body; the test compares them with what the
// mock serves to a plain HTTP client. Any answer other than 200 stops it with exit code 1.

import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

// Node's `process`, without @types/node: these two fields are all this client needs.
declare const process: { argv: string[]; env: Record<string, string | undefined> };

type User = components["schemas"]["User"];
type UserPage = components["schemas"]["PaginatedUserList"];

const [origin, key = process.env.USERS_API_TOKEN] = process.argv.slice(2);
if (!origin || !key) {
  throw new Error("usage: node client.mjs <origin> <token key> (or USERS_API_TOKEN)");
}

const client = createClient<paths>({
  baseUrl: origin,
  headers: { Authorization: `Token ${key}` },
});

// What a caller does with an answer: the body when it is 200, an error with the status if not.
function ok<T>(what: string, result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.status !== 200 || result.data === undefined) {
    throw new Error(`${what}: ${result.response.status} ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

// Filters, a page size and an ordering, as typed query parameters.
const filters = { is_active: true, limit: 3, sort: "-id" } as const;
const first: UserPage = ok(
  "list",
  await client.GET("/users/", { params: { query: { ...filters } } }),
);

// The next page of the same list.
const second: UserPage = ok(
  "page 2",
  await client.GET("/users/", { params: { query: { ...filters, page: 2 } } }),
);

// A JSON filter is a JSON text in a string parameter.
const confirmed: UserPage = ok(
  "attributes",
  await client.GET("/users/", {
    params: { query: { attributes: JSON.stringify({ confirm: true }), limit: 5 } },
  }),
);

// The detail of the first user listed.
const listed: User | undefined = first.results[0];
if (listed === undefined) {
  throw new Error("list: no active user");
}
const detail: User = ok(
  "detail",
  await client.GET("/users/{id}/", { params: { path: { id: listed.id } } }),
);

// The types hold only what the contract offers: the mock's controls and a query on the
// detail are compile errors (an unused @ts-expect-error fails the type check). Never called.
export async function notInTheContract() {
  // @ts-expect-error `__code` is the mock's control, not the API's
  await client.GET("/users/", { params: { query: { __code: 503 } } });
  // @ts-expect-error the detail takes only its id
  await client.GET("/users/{id}/", { params: { path: { id: 1 }, query: { is_active: true } } });
}

const gender: "male" | "female" | null = detail.gender;
console.log(
  JSON.stringify({
    list: first,
    page2: second,
    confirmed,
    detail,
    summary: { name: `${detail.first_name} ${detail.last_name}`, gender },
  }),
);
