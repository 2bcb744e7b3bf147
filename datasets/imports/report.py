"""What an import tells its caller: the count of what changed (``ImportReport``), or why nothing was
(``ImportRefused``), records named the same way in both."""

import dataclasses
from collections import Counter
from dataclasses import dataclass


class ImportRefused(Exception):
    """The data cannot be imported; nothing was written."""


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would have done), per model label.

    ``kept``: records where the database's values were kept against the file's (changed here since the last
    import, unchanged in the file), with the fields; ``conflicts``: records changed on both sides, with the
    fields, and the revision opened for a reviewer (or why none was).
    """

    created: Counter = dataclasses.field(default_factory=Counter)
    updated: Counter = dataclasses.field(default_factory=Counter)
    unchanged: Counter = dataclasses.field(default_factory=Counter)
    kept: list = dataclasses.field(default_factory=list)
    conflicts: list = dataclasses.field(default_factory=list)

    def lines(self) -> list[str]:
        kept = Counter(label for label, _, _ in self.kept)
        conflicts = Counter(label for label, _, _, _ in self.conflicts)
        labels = sorted(set(self.created) | set(self.updated) | set(self.unchanged) | set(kept) | set(conflicts))
        lines = [
            f"{label}: {self.created[label]} created, {self.updated[label]} updated, {self.unchanged[label]} unchanged"
            + (f", {kept[label]} kept" if kept[label] else "")
            + (f", {conflicts[label]} in conflict" if conflicts[label] else "")
            for label in labels
        ]
        for label, key, names in self.kept:
            lines.append(
                f"kept {label} {key}: {', '.join(names)} changed here since the last import and not in the file; "
                "the database's value stays"
            )
        for label, key, names, outcome in self.conflicts:
            lines.append(
                f"conflict {label} {key}: {', '.join(names)} changed both here and in the file; "
                f"not overwritten, {outcome}"
            )
        return lines

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


def describe(model, key: tuple) -> str:
    """A record as refusals name it: model label and natural key (``datasets.chip nvidia-h100``)."""
    return f"{model._meta.label_lower} {'/'.join(map(str, key))}"
