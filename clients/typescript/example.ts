// A typed use of the registry's API with the types that openapi-typescript generates from api/openapi.yaml
// (`npm run generate` writes schema.d.ts). `make test-typescript` compiles this file with `tsc --strict`:
// a renamed field, a changed type or a dropped parameter in the schema shows up here as a compile error.
import type { components, operations, paths } from "./schema";

type ModelRelease = components["schemas"]["ModelRelease"];
type BriefOrganization = components["schemas"]["BriefOrganization"];
type ListQuery = NonNullable<operations["model_releases_list"]["parameters"]["query"]>;
type ListPage =
  paths["/api/v1/model-releases/"]["get"]["responses"][200]["content"]["application/json"];
type BadParameters =
  paths["/api/v1/model-releases/"]["get"]["responses"][400]["content"]["application/json"];

/** The query string of a list request: a list value repeats the parameter (OR). */
function queryString(query: ListQuery): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined) search.append(name, String(item));
    }
  }
  return search.toString();
}

/** Every model release that matches the query, following `next` to the last page. */
export async function listModelReleases(baseUrl: string, query: ListQuery): Promise<ModelRelease[]> {
  const releases: ModelRelease[] = [];
  let url: string | null = `${baseUrl}/api/v1/model-releases/?${queryString(query)}`;
  while (url !== null) {
    const response: Response = await fetch(url, { headers: { Accept: "application/json" } });
    if (response.status === 400) {
      const errors = (await response.json()) as BadParameters;
      const reasons = Object.entries(errors).map(([name, messages]) => `${name}: ${messages.join(" ")}`);
      throw new Error(`bad parameters: ${reasons.join("; ")}`);
    }
    const page = (await response.json()) as ListPage;
    releases.push(...page.results);
    url = page.next;
  }
  return releases;
}

/** One line per release: name, developer (a nested record, null when it is not public) and release date. */
export function describe(release: ModelRelease): string {
  const developer: BriefOrganization | null = release.developer;
  const released = release.released_on ?? "not released yet";
  const chips = release.training_chips.map((chip) => chip.name).join(", ") || "no chips recorded";
  const by = developer === null ? "an unknown developer" : `${developer.name} (${developer.slug})`;
  return `${release.name} by ${by}, ${released}; ${release.weights}, trained on ${chips}, ` +
    `${release.citations.length} source(s)`;
}

export async function main(baseUrl = "http://127.0.0.1:8000"): Promise<void> {
  const releases = await listModelReleases(baseUrl, {
    developer_country: ["CN"],
    weights: ["open_weights"],
    released_on_after: "2025-01-01",
    has_released: true,
    ordering: ["-released_on"],
    limit: 100,
  });
  for (const release of releases) console.log(describe(release));
}
