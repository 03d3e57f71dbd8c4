"""Fill the English catalogue: the source strings are English, so each translation is its msgid."""

from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUE = Path(__file__).resolve().parent.parent / "portal/translations/en/LC_MESSAGES/messages.po"


def main() -> None:
    with CATALOGUE.open("rb") as po_file:
        catalog = read_po(po_file)
    for message in catalog:
        if message.id:
            message.string = tuple(message.id) if message.pluralizable else message.id
            message.flags.discard("fuzzy")
    catalog.fuzzy = False
    with CATALOGUE.open("wb") as po_file:
        write_po(po_file, catalog, width=100)


if __name__ == "__main__":
    main()
