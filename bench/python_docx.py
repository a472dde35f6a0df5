"""The python-docx side of bench/run.sh: read every .docx under DIR the way
a researcher's script would (every paragraph, every table cell's text) and
print how many files, paragraphs and cells it read.

    python3 bench/python_docx.py DIR
"""
import pathlib
import sys

import docx  # python-docx


def main() -> None:
    files = sorted(pathlib.Path(sys.argv[1]).rglob("*.docx"))
    paragraphs = cells = 0
    for f in files:
        d = docx.Document(str(f))
        paragraphs += sum(1 for p in d.paragraphs if p.text)
        for t in d.tables:
            for row in t.rows:
                for c in row.cells:
                    cells += 1 if c.text else 0
    print(f"{len(files)} files, {paragraphs} paragraphs, {cells} non-empty cells")


if __name__ == "__main__":
    main()
