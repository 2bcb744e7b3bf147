"""Turn the fact sheets (facts.yaml, chips.yaml) into fixture objects: Django serialization format, natural keys.

Conventions (see also ``datasets/factsheets/tables.py``):

* Sizes: "671B" is 671,000,000,000 and "1.6T" 1,600,000,000,000; with several variants the largest variant's
  figures are stored and the full statement goes into ``parameters_note``.
* Context lengths: K = 1,000 and M = 1,000,000 tokens ("128K" is 128,000), as the sheets write them; an
  exact count is used where the sheet gives one ("131,072 tokens"). Any statement that is not a bare figure
  is kept in the notes ("Context length as stated: ...").
* Dates: a sheet date "YYYY-MM" or "YYYY" is stored as the first of the month or year, with
  ``date_precision`` (or, for sources and single dates, a line in the notes) saying so.
* Timestamps: every record's ``created_at`` and ``updated_at`` is the sheet's ``compiled_on`` date, so the
  same sheets always give the same bytes.
* Review: records with ``source_checked: false``, ``confidence: low``, or a status that facts-notes.md calls
  unverified after mid-2026 are ``in_review`` with a curator note saying what to check; sources whose URL was
  not opened are ``in_review`` too. Everything else is ``published``.

The builder never invents a value: every field comes from the sheets or from a documented mapping decision,
and any sheet entry the mapping tables do not cover stops the build.
"""

import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import models

from datasets.choices import ReviewStatusChoices
from datasets.factsheets import review_notes, tables
from datasets.factsheets.convert import (
    FIXTURE_FILES,
    PLAIN_CONTEXT,
    PLAIN_SIZE,
    Build,
    SheetError,
    architecture_of,
    iso,
    lines,
    natural_key,
    parse_date,
    plain_figure,
    slug_for,
)
from datasets.models import (
    AccessGrant,
    AccessGrantCitation,
    Chip,
    ChipCitation,
    ExportControl,
    ExportControlCitation,
    ModelRelease,
    ModelReleaseCitation,
    Organization,
    OrganizationCitation,
    Source,
)

PUBLISHED = ReviewStatusChoices.PUBLISHED
IN_REVIEW = ReviewStatusChoices.IN_REVIEW
WORKFLOW_FIELDS = frozenset({"version", "last_edited_by", "revision_of"})

# Free-text fields in which the sheets' ids of other records ("see ec_us_el_zhipu_2025") become slugs.
TEXT_FIELDS = frozenset(
    {
        "notes",
        "description",
        "dates_note",
        "status_note",
        "claim_note",
        "parameters_note",
        "training_compute_note",
        "summary",
        "covered_items",
        "curator_notes",
    }
)
SHEET_ID = re.compile(r"\b(?:ag|mr|ec|src)_[a-z0-9_]+\b")


class Builder:
    """Builds every fixture object from the two sheets; call ``build()`` once."""

    def __init__(self, facts: dict, chips: dict):
        self.facts = facts
        self.chip_sheet = chips
        self.timestamp = f"{facts['meta']['compiled_on']}T00:00:00Z"
        self.errors: list[str] = []
        self.result = Build()
        self.org_ids = {org["id"] for org in facts["organizations"]} | set(tables.CHIP_VENDORS)
        self.source_ids: set[str] = set()
        self.chip_ids = {chip["id"] for chip in chips["chips"]}
        self.release_slugs = {key: value["slug"] for key, value in tables.MODEL_RELEASES.items()}
        self.control_slugs = {control["id"]: slug_for(control["id"], "ec_") for control in facts["export_controls"]}
        self.sheet_slugs = {
            **self.release_slugs,
            **self.control_slugs,
            **{source["id"]: slug_for(source["id"], "src_") for source in facts["sources"] + chips["sources"]},
            **{
                grant["id"]: slug_for(grant["id"], "ag_")
                for grant in facts["access_grants"]
                if not isinstance(grant["grantee_org"], list) or len(grant["grantee_org"]) == 1
            },
        }

    # Plumbing --------------------------------------------------------------------------------------------------

    def emit(self, model: type[models.Model], values: dict) -> dict:
        """One serialized object: every concrete and many-to-many field, in model order, checked field by field."""
        values = dict(values)
        # The workflow's bookkeeping (edit counter, last editor, revision link) starts at its defaults.
        names = [f.name for f in model._meta.local_fields if not f.primary_key and f.name not in WORKFLOW_FIELDS]
        if "created_at" in names:
            values.update(created_at=self.timestamp, updated_at=self.timestamp)
        names += [f.name for f in model._meta.local_many_to_many]
        missing, extra = set(names) - set(values), set(values) - set(names)
        if missing or extra:
            raise SheetError(f"{model.__name__} fields: missing {sorted(missing)}, unexpected {sorted(extra)}")
        for name in TEXT_FIELDS & set(values):
            values[name] = SHEET_ID.sub(self._slug_for_sheet_id, values[name])
        self._check_values(model, values)
        return {"model": model._meta.label_lower, "fields": {name: values[name] for name in names}}

    def _slug_for_sheet_id(self, match: re.Match) -> str:
        sheet_id = match.group()
        slug = self.sheet_slugs.get(sheet_id)
        if slug is None:
            self.errors.append(f"free text names {sheet_id}, which is not a single record")
            return sheet_id
        return slug

    def _check_values(self, model, values):
        relations = [f.name for f in model._meta.get_fields() if f.is_relation]
        scalars = {name: value for name, value in values.items() if name not in relations}
        instance = model(**{k: v for k, v in scalars.items() if k not in ("created_at", "updated_at")})
        try:
            instance.clean_fields(exclude=[*relations, "created_at", "updated_at"])
        except ValidationError as error:
            label = values.get("slug") or values.get("record")
            self.errors.append(f"{model.__name__} {label}: {error.message_dict}")

    def decimal(self, value, model, name: str, notes: list[str]) -> str | None:
        """A sheet number as the decimal string Django serializes; rounded (with a note) if it is too precise."""
        if value is None:
            return None
        number = Decimal(str(value))
        places = model._meta.get_field(name).decimal_places
        exponent = Decimal(1).scaleb(-places)
        if number != number.quantize(exponent):
            rounded = number.quantize(exponent, rounding=ROUND_HALF_UP)
            notes.append(f"{name} stated as {number}; stored rounded to {rounded}.")
            number = rounded
        return str(number)

    def citations(self, model: type[models.Model], record_slug: str, source_ids) -> list[dict]:
        """One citation (no locator: the sheets cite whole documents) per source the record lists."""
        for source_id in source_ids:
            if source_id not in self.source_ids:
                self.errors.append(f"{record_slug} cites unknown source {source_id}")
        slugs = sorted({slug_for(source_id, "src_") for source_id in source_ids})
        return [
            self.emit(model, {"source": [slug], "locator": "", "quote": "", "record": [record_slug]}) for slug in slugs
        ]

    def org(self, org_id: str | None) -> list[str] | None:
        if org_id is None:
            return None
        if org_id not in self.org_ids:
            raise SheetError(f"unknown organization {org_id}")
        return [slug_for(org_id)]

    def review(self, sheet_id: str, reasons: list[str]) -> tuple[str, str]:
        """(review_status, curator_notes): in review with a note saying what to check, or published."""
        if not reasons:
            return PUBLISHED, ""
        note = review_notes.CURATOR_NOTES.get(sheet_id)
        if not note:
            raise SheetError(f"{sheet_id} goes to review ({', '.join(reasons)}) but has no curator note")
        return IN_REVIEW, note

    @staticmethod
    def review_reasons(record: dict, sheet_id: str = "") -> list[str]:
        reasons = []
        if record.get("source_checked") is False:
            reasons.append("source_checked false")
        if record.get("confidence") == "low":
            reasons.append("confidence low")
        if sheet_id in review_notes.UNVERIFIED_STATUS:
            reasons.append("status unverified after mid-2026")
        return reasons

    # Records ---------------------------------------------------------------------------------------------------

    def build(self) -> Build:
        sources = self.sources()
        files = {
            "01_organizations.json": self.organizations(),
            "02_sources.json": sources,
            "03_chips.json": self.chips(),
            "04_model_releases.json": self.model_releases(),
            "05_access_grants.json": self.access_grants(),
            "06_export_controls.json": self.export_controls(),
        }
        files.update(
            {
                "07_organization_citations.json": self._org_citations,
                "08_chip_citations.json": self._chip_citations,
                "09_model_release_citations.json": self._release_citations,
                "10_access_grant_citations.json": self._grant_citations,
                "11_export_control_citations.json": self._control_citations,
            }
        )
        if self.errors:
            raise SheetError("\n".join(self.errors))
        for name, _model in FIXTURE_FILES:
            self.result.files[name] = sorted(files[name], key=natural_key)
        return self.result

    def organizations(self) -> list[dict]:
        objects, self._org_citations = [], []
        entries = [(org, tables.ORGANIZATIONS.get(org["id"])) for org in self.facts["organizations"]]
        for org, mapping in entries:
            if mapping is None:
                raise SheetError(f"organization {org['id']} has no entry in tables.ORGANIZATIONS")
            name, aliases, extra = mapping
            listed_as = f"Listed in the fact sheet as: {org['name']}." if org["name"] != name else ""
            objects.append(
                self.emit(
                    Organization,
                    {
                        "slug": slug_for(org["id"]),
                        "review_status": PUBLISHED,
                        "curator_notes": "",
                        "confidence": "high",
                        "name": name,
                        "country": org["country"] or "",
                        "kind": tables.ORGANIZATION_KINDS[org["kind"]],
                        "website": org["website"] or "",
                        "aliases": "\n".join(aliases),
                        "description": lines(org["notes"], extra, listed_as),
                    },
                )
            )
        # Organizations in facts.yaml list no sources; only the chip vendor added here cites its own pages.
        for vendor_id, vendor in tables.CHIP_VENDORS.items():
            slug = slug_for(vendor_id)
            objects.append(
                self.emit(
                    Organization,
                    {
                        "slug": slug,
                        "review_status": PUBLISHED,
                        "curator_notes": "",
                        "confidence": "high",
                        "name": vendor["name"],
                        "country": vendor["country"],
                        "kind": tables.ORGANIZATION_KINDS[vendor["kind"]],
                        "website": vendor["website"],
                        "aliases": "\n".join(vendor["aliases"]),
                        "description": vendor["description"],
                    },
                )
            )
            self._org_citations += self.citations(OrganizationCitation, slug, vendor["sources"])
        return objects

    def sources(self) -> list[dict]:
        merged: dict[str, dict] = {}
        for origin, entries in (("facts.yaml", self.facts["sources"]), ("chips.yaml", self.chip_sheet["sources"])):
            for entry in entries:
                clean = {key: value for key, value in entry.items() if value is not None}
                previous = merged.get(entry["id"])
                if previous is None:
                    merged[entry["id"]] = clean
                elif previous != clean:
                    differing = sorted(k for k in set(previous) | set(clean) if previous.get(k) != clean.get(k))
                    raise SheetError(f"source {entry['id']} differs between the sheets ({origin}): {differing}")
        self.source_ids = set(merged)
        by_url: dict[str, list[str]] = {}
        for source_id, entry in merged.items():
            by_url.setdefault(entry["url"].split("?")[0].rstrip("/"), []).append(source_id)
        for ids in by_url.values():
            if len(ids) > 1:
                self.result.warnings.append(f"sources {', '.join(sorted(ids))} are the same document (URL)")
        objects = []
        for source_id, entry in merged.items():
            published_on, precision = parse_date(entry.get("published"))
            period = {"month": "month", "year": "year"}.get(precision)
            checked = entry["url_status"] == "checked"
            objects.append(
                self.emit(
                    Source,
                    {
                        "slug": slug_for(source_id, "src_"),
                        "review_status": PUBLISHED if checked else IN_REVIEW,
                        "curator_notes": "" if checked else review_notes.UNCHECKED_URL_NOTE,
                        "title": entry["title"],
                        "publisher": entry["publisher"],
                        "url": entry["url"],
                        "published_on": iso(published_on),
                        "kind": tables.SOURCE_KINDS.get(source_id) or tables.DEFAULT_SOURCE_KINDS[entry["kind"]],
                        "url_checked": checked,
                        "archived_url": entry.get("copy_url", ""),
                        "notes": lines(
                            entry.get("notes"),
                            f"Publication date known to the {period} only ({entry['published']})." if period else "",
                        ),
                    },
                )
            )
        return objects

    def chips(self) -> list[dict]:
        objects, self._chip_citations = [], []
        for chip in self.chip_sheet["chips"]:
            slug = chip["id"]
            announced_on, precision = parse_date(chip["announced_on"])
            notes: list[str] = [chip["notes"]]
            parent = chip["china_variant_of"]
            if parent and parent not in self.chip_ids:
                notes.append(f"The chip sheet names {parent} as the parent chip; it is not a record here.")
                parent = None
            if chip.get("unchecked_fields"):
                notes.append(f"Not confirmed by any cited source: {', '.join(chip['unchecked_fields'])}.")
            numbers = {
                name: self.decimal(chip[name], Chip, name, notes)
                for name in (
                    "memory_gb",
                    "memory_bandwidth_tbps",
                    "dense_bf16_tflops",
                    "dense_fp8_tflops",
                    "interconnect_bandwidth_gbps",
                )
            }
            status, curator = self.review(slug, self.review_reasons(chip))
            objects.append(
                self.emit(
                    Chip,
                    {
                        "slug": slug,
                        "review_status": status,
                        "curator_notes": curator,
                        "confidence": chip["confidence"],
                        "name": chip["name"],
                        "vendor": self.org(chip["vendor"]),
                        "kind": chip["kind"],
                        "announced_on": iso(announced_on),
                        "date_precision": precision if announced_on else "day",
                        **numbers,
                        "memory_type": chip["memory_type"] or "",
                        "tpp": chip["tpp"],
                        "tpp_basis": chip["tpp_basis"] or "",
                        "china_variant_of": [parent] if parent else None,
                        "notes": lines(*notes),
                    },
                )
            )
            self._chip_citations += self.citations(ChipCitation, slug, chip["sources"])
        return objects

    def model_releases(self) -> list[dict]:
        objects, self._release_citations = [], []
        sheet_ids = [release["id"] for release in self.facts["model_releases"]]
        if set(sheet_ids) != set(tables.MODEL_RELEASES):
            raise SheetError(f"model releases not in tables: {sorted(set(sheet_ids) ^ set(tables.MODEL_RELEASES))}")
        for release in self.facts["model_releases"]:
            mapping = tables.MODEL_RELEASES[release["id"]]
            slug = mapping["slug"]
            developer = self.org(release["developer_org"])
            org_country = next(o["country"] for o in self.facts["organizations"] if o["id"] == release["developer_org"])
            if release["org_country"] != org_country:
                raise SheetError(f"{release['id']}: org_country {release['org_country']} != {org_country}")
            released_on, precision = parse_date(release["release_date"])
            notes = []
            if release["model"] != mapping["name"]:
                notes.append(f"Fact-sheet label: {release['model']}.")
            notes.append(release["notes"])
            if str(release["date_precision"]).startswith("approx"):
                notes.append(f"Release date approximate: {release['date_precision']}.")
            elif release["date_precision"] != precision:
                raise SheetError(f"{release['id']}: date_precision {release['date_precision']} vs {precision}")
            weights_text = release["weights"]
            weights_key = re.match(r"[a-z_]+", weights_text).group()
            if weights_text != weights_key:
                notes.append(f"Weights as stated: {weights_text}.")
            context_text = release["context_length"]
            self._check_figure(release["id"], context_text, mapping["context_length"], PLAIN_CONTEXT)
            if context_text is not None and plain_figure(context_text, PLAIN_CONTEXT) is None:
                notes.append(f"Context length as stated: {context_text}.")
            total_text, active_text = release["params_total"], release["params_active"]
            self._check_figure(release["id"], total_text, mapping["parameters_total"], PLAIN_SIZE)
            self._check_figure(release["id"], active_text, mapping["parameters_active"], PLAIN_SIZE)
            parameters_note = ""
            if plain_figure(total_text, PLAIN_SIZE) is None or (
                active_text is not None and plain_figure(active_text, PLAIN_SIZE) is None
            ):
                parameters_note = f"Total: {total_text}" + (f"; active: {active_text}" if active_text else "")
            architecture_text = release["architecture"]
            architecture = tables.ARCHITECTURE_OVERRIDES.get(release["id"]) or architecture_of(architecture_text)
            for chip in mapping["training_chips"]:
                if chip not in self.chip_ids:
                    raise SheetError(f"{release['id']}: training chip {chip} is not in the chip sheet")
            reasons = self.review_reasons(release, release["id"])
            status, curator = self.review(release["id"], reasons)
            objects.append(
                self.emit(
                    ModelRelease,
                    {
                        "slug": slug,
                        "review_status": status,
                        "curator_notes": curator,
                        "confidence": release["confidence"],
                        "name": mapping["name"],
                        "developer": developer,
                        "family": mapping["family"],
                        "announced_on": None,
                        "released_on": iso(released_on),
                        "date_precision": precision,
                        "parameters_total": mapping["parameters_total"],
                        "parameters_active": mapping["parameters_active"],
                        "parameters_note": parameters_note,
                        "architecture": architecture,
                        "architecture_note": architecture_text,
                        "context_length": mapping["context_length"],
                        "weights": tables.WEIGHTS[weights_key],
                        "license": release["license"] or "",
                        "training_chips": [[chip] for chip in sorted(mapping["training_chips"])],
                        "training_compute_note": release["training_hardware"] or "",
                        "training_data_note": release["training_data"] or "",
                        "huggingface_repo": mapping["huggingface_repo"],
                        "arxiv_id": mapping["arxiv_id"],
                        "notes": lines(*notes),
                    },
                )
            )
            self._release_citations += self.citations(ModelReleaseCitation, slug, release["sources"])
        return objects

    def _check_figure(self, sheet_id, text, stored, pattern):
        """A bare sheet figure must equal the stored number (guards the hand-made table against typos)."""
        figure = plain_figure(text, pattern)
        if figure is not None and figure != stored:
            self.errors.append(f"{sheet_id}: the sheet says {text}, the table stores {stored}")
        if text is None and stored is not None:
            self.errors.append(f"{sheet_id}: the sheet gives no figure, the table stores {stored}")

    def access_grants(self) -> list[dict]:
        objects, self._grant_citations = [], []
        sheet_ids = {grant["id"] for grant in self.facts["access_grants"]}
        if sheet_ids != set(tables.GRANT_MODELS):
            raise SheetError(f"access grants not in tables: {sorted(sheet_ids ^ set(tables.GRANT_MODELS))}")
        for grant in self.facts["access_grants"]:
            base_slug = slug_for(grant["id"], "ag_")
            release_id = tables.GRANT_MODELS[grant["id"]]
            access_type, outcome = tables.ACCESS_TYPES[grant["access_type"]]
            access_type = tables.ACCESS_TYPE_OVERRIDES.get(grant["id"], access_type)
            claim_code = re.match(r"[a-z_]+", grant["confirmation"]).group()
            starts_on, start_precision = parse_date(grant["start_date"])
            dates_notes = []
            if grant["start_date_note"]:
                dates_notes.append(f"Start: {grant['start_date_note']}")
            end_text = grant["end_date"]
            ends_on, end_precision = parse_date(end_text)
            if end_precision == "year":
                # "2032" cannot be one date: the rights run through that year. Kept in words only.
                dates_notes.append(f"End: {end_text} (year only; no end date stored)")
                ends_on = None
            if grant["end_date_note"]:
                dates_notes.append(f"End: {grant['end_date_note']}")
            reported_on, reported_precision = parse_date(grant["reported_date"])
            if reported_precision != "day":
                dates_notes.append(f"Reported: {grant['reported_date']} ({reported_precision} only)")
            if start_precision != "day":
                raise SheetError(f"{grant['id']}: start date precision {start_precision}")
            grantees = grant["grantee_org"]
            if isinstance(grantees, list) and all(g in self.org_ids for g in grantees) and len(grantees) > 1:
                parties = [(f"{base_slug}-{slug_for(g)}", g, "") for g in grantees]
            elif isinstance(grantees, list):
                if len(grantees) != 1 or grantees[0] in self.org_ids:
                    raise SheetError(f"{grant['id']}: unexpected grantee list {grantees}")
                parties = [(base_slug, None, grantees[0])]
            else:
                parties = [(base_slug, grantees, "")]
            status, curator = self.review(grant["id"], self.review_reasons(grant))
            for slug, grantee, grantee_description in parties:
                objects.append(
                    self.emit(
                        AccessGrant,
                        {
                            "slug": slug,
                            "review_status": status,
                            "curator_notes": curator,
                            "confidence": grant["confidence"],
                            "model": [self.release_slugs[release_id]] if release_id else None,
                            "model_description": grant["model"],
                            "grantee": self.org(grantee),
                            "grantee_description": grantee_description,
                            "grantor": self.org(grant["grantor_org"]),
                            "access_type": access_type,
                            "outcome": outcome,
                            "starts_on": iso(starts_on),
                            "ends_on": iso(ends_on),
                            "date_precision": "day",
                            "dates_note": "; ".join(dates_notes),
                            "reported_on": iso(reported_on),
                            "claim_status": tables.CLAIM_STATUSES[claim_code],
                            "claim_note": grant["confirmation"],
                            "purpose": grant["purpose"] or "",
                            "notes": grant["notes"] or "",
                        },
                    )
                )
                self._grant_citations += self.citations(AccessGrantCitation, slug, grant["reported_by"])
        return objects

    def export_controls(self) -> list[dict]:
        objects, self._control_citations = [], []
        chip_patterns = {slug: re.compile(pattern) for slug, pattern in tables.CHIP_NAMES.items()}
        if set(chip_patterns) != self.chip_ids:
            raise SheetError(f"chips without a name pattern: {sorted(self.chip_ids ^ set(chip_patterns))}")
        for control in self.facts["export_controls"]:
            sheet_id = control["id"]
            slug = self.control_slugs[sheet_id]
            instrument_text = control["instrument_type"]
            base = re.match(r"[a-z_]+", instrument_text).group()
            rest = instrument_text[len(base) :].strip()
            inner = re.match(r"^\((.*?)\)(.*)$", rest)
            instrument_note = (inner.group(1) + inner.group(2)).strip() if inner else rest
            reference = control["reference"] or {}
            unknown = set(reference) - set(tables.REFERENCE_KEYS) - set(tables.REFERENCE_DETAIL_LABELS)
            if unknown:
                raise SheetError(f"{sheet_id}: unknown reference keys {sorted(unknown)}")
            main = [reference[key] for key in tables.REFERENCE_KEYS if reference.get(key)]
            if len(main) > 1:
                raise SheetError(f"{sheet_id}: several main references {main}")
            details = "; ".join(
                f"{label}: {reference[key]}"
                for key, label in tables.REFERENCE_DETAIL_LABELS.items()
                if reference.get(key)
            )
            announced_on, p1 = parse_date(control["announced_date"])
            published_on, p2 = parse_date(control["published_date"])
            effective_on, p3 = parse_date(control["effective_date"])
            ends_on, p4 = parse_date(control["end_date"])
            if {p1, p2, p3, p4} != {"day"}:
                raise SheetError(f"{sheet_id}: a date is not day-precise")
            end_reason = ""
            extra_note = ""
            if sheet_id in tables.EXPORT_CONTROL_ENDS:
                stored, end_reason, extra_note = tables.EXPORT_CONTROL_ENDS[sheet_id]
                if stored != "keep":
                    ends_on = parse_date(stored)[0]
            if ends_on and not end_reason:
                raise SheetError(f"{sheet_id}: end date without an end reason in tables.EXPORT_CONTROL_ENDS")
            dates_note = lines(
                f"Announced: {control['announced_date_note']}" if control["announced_date_note"] else "",
                f"Effective: {control['effective_date_note']}" if control["effective_date_note"] else "",
                f"End: {control['end_date_note']}" if control["end_date_note"] else "",
                f"Compliance date: {control['compliance_date']}" if control["compliance_date"] else "",
                extra_note,
            )
            targets = control["targets"] or []
            target_orgs, countries, described = set(), set(), []
            for target in targets:
                org_match = re.match(r"^([a-z_]+)(?: \(.*\))?$", target)
                if org_match and org_match.group(1) in self.org_ids:
                    target_orgs.add(slug_for(org_match.group(1)))
                    if target != org_match.group(1):
                        described.append(target)
                    continue
                countries.update(tables.TARGET_COUNTRIES.get(target, ()))
                described.append(target)
            named_in = " ".join(
                control[key] or ""
                for key in ("title", "covers", "thresholds", "notes", "announced_date_note", "effective_date_note")
            )
            covered = sorted(
                chip
                for chip, pattern in chip_patterns.items()
                if pattern.search(named_in) and (sheet_id, chip) not in tables.CHIP_MENTIONS_NOT_COVERED
            )
            links = tables.EXPORT_CONTROL_LINKS.get(sheet_id, {})
            status, curator = self.review(sheet_id, self.review_reasons(control, sheet_id))
            objects.append(
                self.emit(
                    ExportControl,
                    {
                        "slug": slug,
                        "review_status": status,
                        "curator_notes": curator,
                        "confidence": control["confidence"],
                        "title": control["title"],
                        "jurisdiction": control["jurisdiction"],
                        "authority": self.org(control["issuing_authority"]),
                        "instrument": tables.INSTRUMENTS[base],
                        "instrument_note": instrument_note,
                        "reference": main[0] if main else "",
                        "reference_details": details,
                        "announced_on": iso(announced_on),
                        "published_on": iso(published_on),
                        "effective_on": iso(effective_on),
                        "ends_on": iso(ends_on),
                        "end_reason": end_reason,
                        "dates_note": dates_note,
                        "summary": control["covers"] or "",
                        "covered_items": control["thresholds"] or "",
                        "targets_description": "; ".join(described),
                        "status_note": control["status"] or "",
                        "notes": control["notes"] or "",
                        "supersedes": [[self.control_slugs[i]] for i in sorted(links.get("supersedes", ()))],
                        "amends": [[self.control_slugs[i]] for i in sorted(links.get("amends", ()))],
                        "suspends": [[self.control_slugs[i]] for i in sorted(links.get("suspends", ()))],
                        "covered_chips": [[chip] for chip in covered],
                        "target_countries": sorted(countries),
                        "targeted_organizations": [[org] for org in sorted(target_orgs)],
                    },
                )
            )
            self._control_citations += self.citations(ExportControlCitation, slug, control["sources"])
        return objects


def build_from_directory(data_dir: Path) -> Build:
    """Read ``facts.yaml`` and ``chips.yaml`` from ``data_dir`` and build every fixture object."""
    facts = yaml.safe_load((data_dir / "facts.yaml").read_text(encoding="utf-8"))
    chips = yaml.safe_load((data_dir / "chips.yaml").read_text(encoding="utf-8"))
    return Builder(facts, chips).build()
