"""The synthetic registry that bench/generate.py writes: one ``Generator`` method per table, in dependency order.

What makes the data realistic enough to benchmark with:

- about 96% of records are published, the rest draft or in review (the API serves only published ones);
- enums, countries and dates follow the curated data's distributions; every relation (developer, vendor,
  grantee, grantor, model, authority, chips, supersedes / amends / suspends, target countries, targeted
  organizations) points at existing records, and the data passes ``import_dataset``'s checks (a published
  record cites a published source, dates in order, no supersession cycle, a published release's developer
  is published); to-one relations point at published records only (a release would show an unpublished
  grantee as null, and a grant without grantee or description cannot be imported);
- names and text come from word lists: each of the 100 model families (``FAMILIES``) names about 1% of the
  model releases, and no family word occurs anywhere else, so a search for one (``SEARCH_WORD``) finds a
  known, moderate number of releases at every scale;
- the change feed holds one ``published`` event per published record, in the order of the records'
  ``updated_at``, so that ETags and ``Last-Modified`` behave as in production.

Rows go in with ``executemany`` in batches, inside the caller's transaction (``TableWriter`` says why not
``bulk_create``). Django is imported when a ``Generator`` is made, not here, so that importing
``generate.py`` (bench/run.py reads its scales) does not need Django set up.
"""

import datetime
import sys
import time
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from synth import (
    FAMILIES,
    JURISDICTIONS,
    LICENCES,
    MEMORY_TYPES,
    ORG_CORES,
    ORG_COUNTRIES,
    ORG_PREFIXES,
    ORG_SUFFIXES,
    PUBLISHER_WORDS,
    TARGET_COUNTRIES,
    TOPIC_WORDS,
    VARIANTS,
    VOCABULARY,
    Synth,
    slugify,
)
from tablewriter import TableWriter

BATCH_SIZE = 2000


class Generator:
    """Writes ``counts`` rows per table (``generate.scaled_counts``) of synthetic data, table by table,
    remembering what later tables point at."""

    def __init__(self, counts: dict[str, int], seed: int, out=sys.stdout):
        from datasets import models
        from datasets.countries import COUNTRIES

        self.m = models
        self.country_names = dict(COUNTRIES)
        self.counts = counts
        self.synth = Synth(seed)
        self.out = out
        self.timings: dict[str, float] = {}
        self.rows: dict[str, int] = {}
        # (updated_at, resource, slug) of every published record: the change feed.
        self.feed: list[tuple[datetime.datetime, str, str]] = []
        self.written: set = set()

    # Plumbing.

    def insert(self, label: str, model, rows: Iterator[dict], pks: list[int] | None = None) -> list[int]:
        """Write ``rows`` into ``model``'s table in batches; returns their primary keys in order. ``pks`` grows
        batch by batch, so that the rows still to come can point at those already written."""
        started = time.perf_counter()
        writer = TableWriter(model)
        self.written.add(model)
        pks = [] if pks is None else pks
        batch: list[dict] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH_SIZE:
                pks += writer.write(batch)
                batch = []
        pks += writer.write(batch)
        self.record_timing(label, started, len(pks))
        return pks

    def record_timing(self, label: str, started: float, rows: int) -> None:
        elapsed = time.perf_counter() - started
        self.timings[label] = round(elapsed, 2)
        self.rows[label] = rows
        rate = f"  ({rows / elapsed:,.0f} rows/s)" if rows and elapsed else ""
        print(f"  {label:<40} {rows:>9} rows {elapsed:7.1f} s{rate}", file=self.out, flush=True)

    def common(self, resource: str, slug: str) -> dict:
        """Fields every record shares; a published record also goes into the change feed."""
        status = self.synth.status()
        created, updated = self.synth.moment()
        if status == "published":
            self.feed.append((updated, resource, slug))
        notes = "" if status == "published" else "Check the dates against a second source before publishing."
        return {
            "slug": slug,
            "review_status": status,
            "curator_notes": notes,
            "created_at": created,
            "updated_at": updated,
        }

    # Tables, in dependency order.

    def organizations(self) -> None:
        synth, m = self.synth, self.m
        kinds = {"ai_lab": 33, "government_agency": 30, "chipmaker": 22, "cloud_provider": 8, "company": 4}
        kinds |= {"research_institute": 2, "other": 1}
        self.org_rows: list[tuple[str, str, bool]] = []  # (kind, country, published), by position

        def rows():
            for index in range(self.counts["organizations"]):
                kind = synth.weighted(kinds)
                country = synth.weighted(ORG_COUNTRIES)
                if kind == "government_agency":
                    country = country or "US"
                    name = f"{self.country_names[country]} {synth.rng.choice(ORG_SUFFIXES[kind])}"
                    name += f" {synth.rng.choice(ORG_CORES)} Division"
                else:
                    name = f"{synth.rng.choice(ORG_PREFIXES)} {synth.rng.choice(ORG_CORES)} "
                    name += synth.rng.choice(ORG_SUFFIXES[kind])
                slug = f"{slugify(name)}-{index + 1}"
                common = self.common("organizations", slug)
                self.org_rows.append((kind, country, common["review_status"] == "published"))
                yield dict(
                    **common,
                    confidence=synth.weighted({"high": 85, "medium": 12, "low": 3}),
                    name=name,
                    country=country,
                    kind=kind,
                    website=f"https://www.{slug}.example.com" if synth.maybe(0.8) else "",
                    aliases=f"{name.split()[0]} {name.split()[1]}" if synth.maybe(0.3) else "",
                    description=synth.text(0, 2),
                )

        self.org_ids = self.insert("organizations", m.Organization, rows())
        published = [pk for pk, (_, _, ok) in zip(self.org_ids, self.org_rows, strict=True) if ok]
        self.published_orgs = published
        by_kind: dict[str, list[int]] = {}
        agencies_by_country: dict[str, list[int]] = {}
        for pk, (kind, country, ok) in zip(self.org_ids, self.org_rows, strict=True):
            if ok:
                by_kind.setdefault(kind, []).append(pk)
                if kind == "government_agency":
                    agencies_by_country.setdefault(country, []).append(pk)
        self.developers = by_kind.get("ai_lab", []) + by_kind.get("company", []) or published
        self.vendors = by_kind.get("chipmaker", []) or published
        self.agencies = by_kind.get("government_agency", []) or published
        self.agencies_by_country = agencies_by_country

    def sources(self) -> None:
        synth, m = self.synth, self.m
        publishers = [
            f"{synth.rng.choice(ORG_PREFIXES)} {synth.rng.choice(PUBLISHER_WORDS)}"
            for _ in range(max(20, self.counts["sources"] // 5))
        ]
        kinds = {"news_report": 42, "analysis": 29, "company_announcement": 11, "model_card": 8, "legal_text": 8}
        kinds |= {"official_statement": 1, "paper": 1}
        published_flags: list[bool] = []

        def rows():
            for index in range(self.counts["sources"]):
                publisher = synth.rng.choice(publishers)
                topic = synth.rng.choice(TOPIC_WORDS)
                title = f"{topic.capitalize()}: {' '.join(synth.rng.choices(VOCABULARY, k=5))}"
                slug = f"{slugify(publisher)}-{slugify(topic)}-{index + 1}"
                common = self.common("sources", slug)
                published_flags.append(common["review_status"] == "published")
                domain = slugify(publisher)
                published_on = synth.day() if synth.maybe(0.68) else None
                yield dict(
                    **common,
                    title=title,
                    publisher=publisher,
                    url=f"https://www.{domain}.example.com/{index + 1}/{slugify(topic)}",
                    published_on=published_on,
                    kind=synth.weighted(kinds),
                    url_checked=synth.maybe(0.7),
                    archived_url=f"https://web.archive.example.org/{domain}/{index + 1}" if synth.maybe(0.1) else "",
                    notes=synth.text(0, 1) if synth.maybe(0.3) else "",
                )

        self.source_ids = self.insert("sources", m.Source, rows())
        self.published_sources = [pk for pk, ok in zip(self.source_ids, published_flags, strict=True) if ok]

    def chips(self) -> None:
        synth, m = self.synth, self.m
        published_flags: list[bool] = []
        self.chip_ids: list[int] = []

        def rows():
            for index in range(self.counts["chips"]):
                vendor = synth.rng.choice(self.vendors)
                kind = synth.weighted({"gpu": 70, "ai_accelerator": 27, "memory": 2, "other": 1})
                bf16 = Decimal(synth.rng.randrange(500, 25000)) / 10
                fp8 = bf16 * 2 if synth.maybe(0.7) else None
                # A China-market variant of an earlier chip, as the H800 is of the H100.
                variant_of = None
                if self.chip_ids and synth.maybe(0.19):
                    variant_of = self.chip_ids[synth.rng.randrange(len(self.chip_ids))]
                name = f"{synth.rng.choice(ORG_CORES)}-{synth.rng.randint(1, 9)}{synth.rng.choice('XSAHBM')}"
                name += f"{synth.rng.randint(10, 999)}"
                slug = f"{slugify(name)}-{index + 1}"
                common = self.common("chips", slug)
                published_flags.append(common["review_status"] == "published")
                announced = synth.day()
                yield dict(
                    **common,
                    confidence=synth.weighted({"high": 80, "medium": 17, "low": 3}),
                    name=name,
                    vendor_id=vendor,
                    kind=kind,
                    announced_on=announced,
                    date_precision=synth.weighted({"day": 60, "month": 35, "year": 5}),
                    memory_gb=Decimal(synth.rng.choice((16, 24, 32, 48, 64, 80, 96, 141, 192, 256, 288))),
                    memory_type=synth.rng.choice(MEMORY_TYPES),
                    memory_bandwidth_tbps=Decimal(synth.rng.randrange(500, 8000)) / 1000,
                    dense_bf16_tflops=bf16,
                    dense_fp8_tflops=fp8,
                    interconnect_bandwidth_gbps=Decimal(synth.rng.choice((200, 400, 600, 900, 1800))),
                    # The registry's rule (Chip.computed_tpp): rounded half up, which import_dataset checks.
                    tpp=int((bf16 * 16).to_integral_value(rounding=ROUND_HALF_UP)),
                    tpp_basis=f"computed: {bf16} dense BF16 TFLOPS x 16",
                    china_variant_of_id=variant_of,
                    notes=synth.text(1, 3),
                )

        # Variants point at chips already written (self.chip_ids grows as batches go in).
        self.insert("chips", m.Chip, rows(), self.chip_ids)
        self.published_chips = [pk for pk, ok in zip(self.chip_ids, published_flags, strict=True) if ok]

    def model_releases(self) -> None:
        synth, m = self.synth, self.m
        weights = {"open_weights": 64, "api_only": 31, "restricted": 3, "unreleased": 2}
        # Per release, by position: (published, earliest date, developer id).
        self.release_rows: list[tuple[bool, datetime.date, int]] = []

        def rows():
            for index in range(self.counts["model_releases"]):
                family = FAMILIES[synth.rng.randrange(len(FAMILIES))]
                version = f"{synth.rng.randint(1, 5)}.{synth.rng.randint(0, 9)}" if synth.maybe(0.5) else ""
                variant = synth.rng.choice(VARIANTS)
                name = f"{family}-{version or synth.rng.randint(1, 9)} {variant}"
                slug = f"{slugify(name)}-{index + 1}"
                developer = synth.rng.choice(self.developers)
                common = self.common("model-releases", slug)
                weight = synth.weighted(weights)
                released = None if weight == "unreleased" else synth.day()
                announced = None
                if released is None:
                    announced = synth.day()
                elif synth.maybe(0.2):
                    announced = released - datetime.timedelta(days=synth.rng.randrange(120))
                self.release_rows.append((common["review_status"] == "published", announced or released, developer))
                architecture = synth.weighted({"moe": 49, "other": 29, "dense": 22})
                total = int(10 ** synth.rng.uniform(9, 12.3)) if synth.maybe(0.7) else None
                active = total // synth.rng.randint(8, 40) if total and architecture == "moe" else None
                yield dict(
                    **common,
                    confidence=synth.weighted({"high": 90, "medium": 8, "low": 2}),
                    name=name,
                    developer_id=developer,
                    family=f"{family}-{version}" if version else family,
                    announced_on=announced,
                    released_on=released,
                    date_precision=synth.weighted({"day": 90, "month": 10}),
                    parameters_total=total,
                    parameters_active=active,
                    parameters_note="" if total else "Total: undisclosed",
                    architecture=architecture,
                    architecture_note=synth.text(0, 1)[:500],
                    context_length=synth.rng.choice((4096, 8192, 32768, 131072, 200000, 1000000)),
                    weights=weight,
                    license=synth.rng.choice(LICENCES) if weight == "open_weights" else "Proprietary",
                    training_compute_note=synth.text(0, 2),
                    training_data_note=f"{synth.rng.randint(1, 40)}T tokens" if synth.maybe(0.4) else "",
                    huggingface_repo=f"org{developer}/{slugify(name)}" if weight == "open_weights" else "",
                    arxiv_id=f"{synth.rng.randint(2001, 2611)}.{synth.rng.randint(10000, 99999)}"
                    if synth.maybe(0.3)
                    else "",
                    notes=synth.text(0, 3),
                )

        self.release_ids = self.insert("model_releases", m.ModelRelease, rows())

        def links():
            for pk in self.release_ids:
                if synth.maybe(0.15) and self.published_chips:
                    for chip in synth.distinct(self.published_chips, synth.rng.randint(1, 2)):
                        yield {"modelrelease_id": pk, "chip_id": chip}

        self.insert("model_releases.training_chips", m.ModelRelease.training_chips.through, links())

    def access_grants(self) -> None:
        synth, m = self.synth, self.m
        access_types = {"pre_deployment_evaluation": 33, "api": 23, "hardware_optimization": 20}
        access_types |= {"early_access": 17, "license": 4, "weights": 2, "other": 1}
        published_releases = [
            (pk, row) for pk, row in zip(self.release_ids, self.release_rows, strict=True) if row[0]
        ] or list(zip(self.release_ids, self.release_rows, strict=True))
        describe = ("Unnamed Chinese chipmakers", "Several cloud providers", "Government evaluators (unnamed)")

        def rows():
            for index in range(self.counts["access_grants"]):
                model_id, earliest, developer = None, None, None
                if synth.maybe(0.6):
                    pick = synth.rng.randrange(len(published_releases))
                    model_id, (_, earliest, developer) = published_releases[pick]
                grantee = synth.rng.choice(self.published_orgs) if synth.maybe(0.87) else None
                grantor = developer if developer and synth.maybe(0.9) else synth.rng.choice(self.published_orgs)
                anchor = earliest or synth.day()
                starts = anchor + datetime.timedelta(days=synth.rng.randrange(-60, 200)) if synth.maybe(0.6) else None
                ends = None
                if synth.maybe(0.2):
                    ends = max(starts or anchor, anchor) + datetime.timedelta(days=synth.rng.randrange(300))
                slug = f"grant-{model_id or 'unnamed'}-{grantee or 'group'}-{index + 1}"
                common = self.common("access-grants", slug)
                yield dict(
                    **common,
                    confidence=synth.weighted({"high": 75, "medium": 20, "low": 5}),
                    model_id=model_id,
                    model_description=f"Model release #{model_id}" if model_id else "Several unreleased models",
                    grantee_id=grantee,
                    grantee_description="" if grantee else synth.rng.choice(describe),
                    grantor_id=grantor,
                    access_type=synth.weighted(access_types),
                    outcome=synth.weighted({"granted": 77, "withheld": 13, "unauthorized": 7, "revoked": 3}),
                    starts_on=starts,
                    ends_on=ends,
                    date_precision=synth.weighted({"day": 85, "month": 15}),
                    dates_note=synth.text(0, 1)[:500],
                    reported_on=(starts or anchor) + datetime.timedelta(days=synth.rng.randrange(60))
                    if synth.maybe(0.8)
                    else None,
                    claim_status=synth.weighted({"confirmed": 73, "reported": 17, "alleged": 8, "disputed": 2}),
                    claim_note=synth.text(0, 1)[:500],
                    purpose=synth.text(0, 1)[:500],
                    notes=synth.text(0, 2),
                )

        self.grant_ids = self.insert("access_grants", m.AccessGrant, rows())

    def export_controls(self) -> None:
        synth, m = self.synth, self.m
        instruments = {"license_requirement": 26, "rule": 26, "entity_listing": 21, "license_policy": 9}
        instruments |= {"enforcement_action": 6, "export_ban": 3, "suspension": 3, "import_restriction": 3}
        instruments |= {"guidance": 3}
        end_reasons = ("rescinded", "superseded", "suspended", "expired")
        self.control_instruments: list[str] = []

        def rows():
            for index in range(self.counts["export_controls"]):
                jurisdiction = synth.weighted(JURISDICTIONS)
                agencies = self.agencies_by_country.get(jurisdiction) or self.agencies
                instrument = synth.weighted(instruments)
                self.control_instruments.append(instrument)
                effective = synth.day() if synth.maybe(0.94) else None
                announced = effective - datetime.timedelta(days=synth.rng.randrange(60)) if effective else synth.day()
                ends, end_reason = None, ""
                if effective and synth.maybe(0.2):
                    ends = effective + datetime.timedelta(days=synth.rng.randrange(1, 700))
                    end_reason = synth.rng.choice(end_reasons)
                topic = synth.rng.choice(TOPIC_WORDS)
                title = f"{topic.capitalize()} ({jurisdiction} measure {index + 1})"
                slug = f"{jurisdiction.lower()}-{slugify(topic)}-{index + 1}"
                common = self.common("export-controls", slug)
                yield dict(
                    **common,
                    confidence=synth.weighted({"high": 85, "medium": 12, "low": 3}),
                    title=title,
                    jurisdiction=jurisdiction,
                    authority_id=synth.rng.choice(agencies),
                    instrument=instrument,
                    instrument_note=synth.rng.choice(("", "interim final rule", "final rule", "announcement")),
                    reference=f"{synth.rng.randint(80, 91)} FR {synth.rng.randint(1000, 99999)}",
                    reference_details=f"RIN 0694-A{synth.rng.choice('ABCDEFGHJ')}{synth.rng.randint(10, 99)}",
                    announced_on=announced,
                    published_on=announced + datetime.timedelta(days=synth.rng.randrange(14))
                    if synth.maybe(0.5)
                    else None,
                    effective_on=effective,
                    ends_on=ends,
                    end_reason=end_reason,
                    dates_note=synth.text(0, 1),
                    summary=synth.text(1, 3),
                    covered_items=synth.text(0, 2),
                    targets_description=synth.rng.choice(("", "All destinations", "Country Group D:5", "Macau")),
                    status_note=synth.text(0, 1)[:500],
                    notes=synth.text(0, 2),
                )

        self.control_ids = self.insert("export_controls", m.ExportControl, rows())
        ids = self.control_ids
        control = m.ExportControl

        def earlier(position: int, count: int) -> list[int]:
            # Only earlier measures: supersedes / amends / suspends can never form a cycle.
            return synth.distinct(ids, count, size=position)

        def relation(share: float, low: int, high: int, only_suspensions: bool = False):
            for position, pk in enumerate(ids):
                if only_suspensions and self.control_instruments[position] != "suspension":
                    continue
                if synth.maybe(share):
                    for other in earlier(position, synth.rng.randint(low, high)):
                        yield {"from_exportcontrol_id": pk, "to_exportcontrol_id": other}

        self.insert("export_controls.supersedes", control.supersedes.through, relation(0.06, 1, 1))
        self.insert("export_controls.amends", control.amends.through, relation(0.2, 1, 2))
        self.insert("export_controls.suspends", control.suspends.through, relation(0.9, 1, 3, True))

        def covered():
            for pk in ids:
                if synth.maybe(0.24) and self.published_chips:
                    for chip in synth.distinct(self.published_chips, synth.rng.randint(1, 5)):
                        yield {"exportcontrol_id": pk, "chip_id": chip}

        def countries():
            codes = list(TARGET_COUNTRIES)
            for pk in ids:
                if synth.maybe(0.32):
                    picked = {synth.weighted(TARGET_COUNTRIES) for _ in range(synth.rng.randint(1, 4))}
                    for code in sorted(picked, key=codes.index):
                        yield {"exportcontrol_id": pk, "country_id": code}

        def organizations():
            for pk in ids:
                if synth.maybe(0.3):
                    for org in synth.distinct(self.org_ids, synth.rng.randint(1, 2)):
                        yield {"exportcontrol_id": pk, "organization_id": org}

        self.insert("export_controls.covered_chips", control.covered_chips.through, covered())
        self.insert("export_controls.target_countries", control.target_countries.through, countries())
        self.insert("export_controls.targeted_organizations", control.targeted_organizations.through, organizations())

    def citations(self) -> None:
        """Every cited record except organizations cites at least one published source; the rest of each
        table's citations are spread at random over its records, never the same source twice per record."""
        m = self.m
        tables = (
            ("organization_citations", m.OrganizationCitation, self.org_ids, False),
            ("chip_citations", m.ChipCitation, self.chip_ids, True),
            ("model_release_citations", m.ModelReleaseCitation, self.release_ids, True),
            ("access_grant_citations", m.AccessGrantCitation, self.grant_ids, True),
            ("export_control_citations", m.ExportControlCitation, self.control_ids, True),
        )
        for label, model, record_ids, every_record in tables:
            self.insert(label, model, self._citations(record_ids, self.counts[label], every_record))

    def _citations(self, record_ids: list[int], total: int, every_record: bool) -> Iterator:
        synth = self.synth
        per_record = [1 if every_record else 0] * len(record_ids)
        for _ in range(max(0, total - sum(per_record))):
            per_record[synth.rng.randrange(len(record_ids))] += 1
        for record_id, count in zip(record_ids, per_record, strict=True):
            if not count:
                continue
            first = self.published_sources[synth.rng.randrange(len(self.published_sources))]
            others = synth.distinct(self.source_ids, count + 1)
            sources = [first, *[source for source in others if source != first]][:count]
            for source in sources:
                yield {
                    "record_id": record_id,
                    "source_id": source,
                    "locator": f"p. {synth.rng.randint(1, 40)}" if synth.maybe(0.25) else "",
                    "quote": synth.rng.choice(synth.sentences) if synth.maybe(0.15) else "",
                }

    def change_feed(self) -> None:
        """One ``published`` event per published record, oldest first (seq follows updated_at)."""
        m = self.m
        self.feed.sort()

        def rows():
            for changed_at, resource, slug in self.feed:
                yield {"resource": resource, "slug": slug, "change": "published", "changed_at": changed_at}

        self.insert("change_events", m.ChangeEvent, rows())

    def run(self) -> None:
        self.organizations()
        self.sources()
        self.chips()
        self.model_releases()
        self.access_grants()
        self.export_controls()
        self.citations()
        self.change_feed()
