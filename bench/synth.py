"""Deterministic synthetic values for bench/generate.py: word lists, distributions, a seeded random source.

The distributions follow the curated fixtures (countries, kinds, enums, how often a field is empty); the word
lists are made up, and ``check_word_lists`` makes sure that each model family word occurs nowhere else, so that
searching for one finds a known share of the model releases.
"""

import datetime
import random
import re
from collections.abc import Iterable


def words(text: str, separator: str | None = None) -> tuple[str, ...]:
    """A word list written as one string (kept compact; ruff would put one word per line)."""
    return tuple(text.split(separator))


PUBLISHED_SHARE = 0.96

# 100 model family names; the generator checks that none occurs inside any other word it writes.
FAMILIES = words(
    "Azimuth Basalt Cirrus Dynamo Ember Fjord Garnet Halcyon Indigo Juniper Kestrel Lumen Meridian Nimbus "
    "Obsidian Polaris Quasar Rhodium Sirocco Tundra Umbra Vesper Wombat Xenon Yarrow Zephyr Alder Bramble "
    "Condor Drumlin Egret Falcon Glacier Heron Ibex Jaguar Kodiak Lynx Mistral Narwhal Ocelot Pelican Quokka "
    "Raptor Sequoia Tamarack Urchin Vireo Walrus Yucca Zircon Azalea Bismuth Cobalt Dahlia Epsilon Ferrite "
    "Gallium Hyacinth Iridium Jasmine Krypton Lotus Magnolia Neodym Orchid Peony Quetzal Rubidium Saffron "
    "Thulium Uplift Verbena Wisteria Yttrium Zinnia Argon Boreas Cyclone Dorado Equinox Fenix Gemini Helios "
    "Icarus Jovian Kepler Lyra Mirage Nova Orion Perseus Quill Rigel Solstice Tempest Triton Ursa Vega Whirl"
)
SEARCH_WORD = "Zephyr"
VARIANTS = ("Base", "Instruct", "Chat", "Coder", "Vision", "Reasoner", "Mini", "Flash", "Pro", "Max", "Turbo", "Lite")

ORG_PREFIXES = words(
    "Northern Southern Eastern Western Blue Golden Silent Rapid Deep Open Bright Crimson Silver Iron Emerald "
    "Granite Harbor Summit Cedar Maple Pine Willow Coral Amber Scarlet Ivory Onyx Sapphire Copper Marble Canyon "
    "Prairie Delta Pacific Atlantic Alpine Coastal Central Grand"
)
ORG_CORES = words(
    "Mind Logic Compute Silicon Tensor Vector Lattice Matrix Signal Circuit Neuron Pixel Photon Kernel Cortex "
    "Cognition Insight Data Wave Bridge Forge Spark Beacon Anchor Arrow Crown Shield Tower Gate Field"
)
ORG_SUFFIXES = {
    "ai_lab": ("AI", "Labs", "Research", "Intelligence"),
    "chipmaker": ("Semiconductor", "Microelectronics", "Chips", "Devices"),
    "cloud_provider": ("Cloud", "Hosting", "Datacenters"),
    "government_agency": ("Ministry of Commerce", "Export Bureau", "Trade Office", "Security Agency"),
    "research_institute": ("Institute", "Academy", "University"),
    "company": ("Group", "Holdings", "Technologies", "Systems"),
    "other": ("Foundation", "Consortium", "Alliance"),
}
PUBLISHER_WORDS = words(
    "Times Post Herald Journal Gazette Review Wire Monitor Observer Tribune Ledger Chronicle Dispatch Record "
    "Register Courier Insider Digest Report Bulletin"
)
TOPIC_WORDS = words(
    "export controls on advanced computing chips; model release announcement; technical report; licence "
    "requirements for accelerators; entity list additions; evaluation of frontier models; early access "
    "programme; inference hardware support; open weights release; training compute disclosure; supply chain "
    "review; datacenter capacity; semiconductor equipment rules; cloud access restrictions; model card update",
    "; ",
)
VOCABULARY = words(
    "the a of and to in on for with by from as at under after before during against about between within "
    "model release weights licence access grant export control rule measure chip accelerator memory bandwidth "
    "throughput training inference evaluation partner cloud datacenter cluster capacity hardware software "
    "announcement report statement filing notice agency ministry bureau company laboratory institute "
    "researchers engineers developers customers regulators officials sources documents details figures "
    "dates version variant context parameters experts tokens benchmark safety security review compliance "
    "threshold performance density restriction exemption destination country region market supply demand "
    "announced reported confirmed denied disputed stated described published released delayed expanded "
    "limited restricted approved suspended rescinded amended superseded covered targeted named listed "
    "earlier later initial final partial full public private official unofficial preliminary revised "
    "according reportedly publicly privately formally informally roughly approximately notably"
)
TARGET_COUNTRIES = {"CN": 40, "MO": 10, "HK": 10, "RU": 10, "IR": 8, "KP": 6, "BY": 4, "VN": 3, "AE": 3, "SA": 3}
ORG_COUNTRIES = {
    "CN": 35,
    "US": 33,
    "GB": 4,
    "FR": 3,
    "DE": 3,
    "JP": 3,
    "KR": 3,
    "NL": 2,
    "TW": 2,
    "IN": 2,
    "IL": 2,
    "CA": 2,
    "SG": 1,
    "AE": 1,
    "SA": 1,
    "CH": 1,
    "SE": 1,
    "": 1,
}
JURISDICTIONS = {"US": 50, "CN": 30, "NL": 5, "JP": 5, "EU": 3, "GB": 3, "KR": 2, "TW": 2}
MEMORY_TYPES = ("HBM2e", "HBM3", "HBM3e", "GDDR6", "GDDR7", "LPDDR5X")
LICENCES = ("MIT", "Apache-2.0", "Llama Community License", "Proprietary", "Custom open licence", "CC BY-NC 4.0")

START = datetime.date(2019, 1, 1)
END = datetime.date(2026, 11, 28)
SPAN_DAYS = (END - START).days
FEED_START = datetime.datetime(2023, 1, 1, tzinfo=datetime.UTC)
FEED_SPAN_SECONDS = int((datetime.datetime(2026, 11, 28, tzinfo=datetime.UTC) - FEED_START).total_seconds())


def check_word_lists(country_names: Iterable[str]) -> None:
    """Each family word must occur nowhere but in its own releases, so that searching it finds ~1%."""
    others = [
        *(word for name in country_names for word in name.split()),
        *VARIANTS,
        *ORG_PREFIXES,
        *ORG_CORES,
        *(word for suffixes in ORG_SUFFIXES.values() for suffix in suffixes for word in suffix.split()),
        *PUBLISHER_WORDS,
        *(word for topic in TOPIC_WORDS for word in topic.split()),
        *VOCABULARY,
        *MEMORY_TYPES,
        *LICENCES,
    ]
    lowered = [word.lower() for word in others]
    families = [family.lower() for family in FAMILIES]
    if len(set(families)) != 100:
        raise ValueError(f"FAMILIES must hold 100 distinct words, not {len(set(families))}")
    for family in families:
        clashes = [word for word in lowered if family in word] + [f for f in families if f != family and family in f]
        if clashes:
            raise ValueError(f"family word {family!r} occurs inside {clashes}")


def slugify(text: str) -> str:
    """An ASCII slug (the word lists are ASCII): lowercase, hyphens, nothing else."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Synth:
    """Deterministic random choices over the word lists and the enums."""

    def __init__(self, seed: int):
        # Synthetic data, not secrets: a seeded PRNG is the point.
        self.rng = random.Random(seed)  # noqa: S311
        self.sentences = [self._sentence() for _ in range(4000)]

    def _sentence(self) -> str:
        words = self.rng.choices(VOCABULARY, k=self.rng.randint(6, 18))
        return " ".join(words).capitalize() + "."

    def text(self, low: int, high: int) -> str:
        """``low`` to ``high`` sentences of plausible prose."""
        count = self.rng.randint(low, high)
        return " ".join(self.rng.choice(self.sentences) for _ in range(count))

    def maybe(self, share: float) -> bool:
        return self.rng.random() < share

    def weighted(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def status(self) -> str:
        if self.rng.random() < PUBLISHED_SHARE:
            return "published"
        return "draft" if self.rng.random() < 0.5 else "in_review"

    def day(self, start: datetime.date = START, span: int = SPAN_DAYS) -> datetime.date:
        """A date in [start, start + span), more recent dates likelier (the registry grows)."""
        return start + datetime.timedelta(days=int(span * self.rng.random() ** 0.6))

    def moment(self) -> tuple[datetime.datetime, datetime.datetime]:
        """created_at and updated_at (updated up to 90 days later, never in the future of the feed)."""
        created = FEED_START + datetime.timedelta(seconds=self.rng.randrange(FEED_SPAN_SECONDS))
        updated = created + datetime.timedelta(seconds=self.rng.randrange(90 * 86400)) if self.maybe(0.4) else created
        return created, min(updated, FEED_START + datetime.timedelta(seconds=FEED_SPAN_SECONDS))

    def distinct(self, population: list, count: int, size: int | None = None) -> list:
        """``count`` distinct members of ``population[:size]`` (or all of them when there are fewer)."""
        size = len(population) if size is None else size
        if count >= size:
            return population[:size]
        picked: dict = {}
        while len(picked) < count:
            picked[population[self.rng.randrange(size)]] = None
        return list(picked)
