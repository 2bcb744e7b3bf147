// A typed use of the registry's API with the types that openapi-typescript generates from api/openapi.yaml
// (`npm run generate` writes schema.d.ts). `make test-typescript` compiles this file with `tsc --strict`:
// a renamed field, a changed type or a dropped parameter in the schema shows up here as a compile error.
import type { components, operations, paths } from "./schema";

// A list's records may hold only the fields `fields` selects: every field but slug and url is optional there.
type ModelRelease = components["schemas"]["ModelReleaseListItem"];
type ModelReleaseDetail = components["schemas"]["ModelReleaseDetail"];
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
  const developer: BriefOrganization | null | undefined = release.developer;
  const released = release.released_on ?? "not released yet";
  const chips = (release.training_chips ?? []).map((chip) => chip.name).join(", ") || "no chips recorded";
  const by = developer == null ? "an unknown developer" : `${developer.name} (${developer.slug})`;
  return `${release.name ?? release.slug} by ${by}, ${released}; ${release.weights}, trained on ${chips}, ` +
    `${(release.citations ?? []).length} source(s)`;
}

/** How many releases per developer, except DeepSeek's: one call, the counts in the page's `facets`. */
export async function releasesPerDeveloper(baseUrl: string): Promise<Map<string, number>> {
  const query: ListQuery = { developer__not: ["deepseek"], facet: ["developer"], fields: ["name"], limit: 1 };
  const response = await fetch(`${baseUrl}/api/v1/model-releases/?${queryString(query)}`);
  const page = (await response.json()) as ListPage;
  const counts = new Map<string, number>();
  for (const value of page.facets["developer"]?.values ?? []) {
    counts.set(value.label ?? "no developer recorded", value.count);
  }
  return counts;
}

/** Who was given, or refused, access to one model: its own route lists the grants. */
export async function accessTo(baseUrl: string, slug: string): Promise<string[]> {
  const response = await fetch(`${baseUrl}/api/v1/model-releases/${slug}/`);
  const release = (await response.json()) as ModelReleaseDetail;
  return release.access_grants.map((grant) => `${grant.grantee ?? "someone unnamed"}: ${grant.outcome}`);
}

/** For each DeepSeek release, how many access grants it has and the first few: one list call with `expand`. */
export async function grantsPerRelease(baseUrl: string): Promise<string[]> {
  const query: ListQuery = { developer: ["deepseek"], fields: ["name"], expand: ["access_grants"] };
  const releases = await listModelReleases(baseUrl, query);
  return releases.map((release) => {
    const shown = (release.access_grants ?? []).map((grant) => `${grant.grantee ?? "someone"}: ${grant.outcome}`);
    return `${release.name ?? release.slug}: ${release.access_grants_count ?? 0} grant(s) (${shown.join(", ")})`;
  });
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

type SearchQuery = NonNullable<operations["search_list"]["parameters"]["query"]>;
type SearchPage = paths["/api/v1/search/"]["get"]["responses"][200]["content"]["application/json"];

/** Everything about a name, across resources: "organizations huawei", "chips ascend-910c", ... */
export async function searchEverything(baseUrl: string, text: string): Promise<string[]> {
  const query: SearchQuery = { q: text, resource__not: ["sources"], limit: 50 };
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) search.append(name, String(item));
  }
  const response = await fetch(`${baseUrl}/api/v1/search/?${search.toString()}`);
  const page = (await response.json()) as SearchPage;
  return page.results.map((found) => `${found.resource} ${found.slug}: ${found.name}`);
}
