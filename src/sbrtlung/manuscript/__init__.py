"""The manuscript build: numbers as printed (`variables`), the Quarto shortcodes the fallback
resolves itself (`shortcodes`), and rendering with Quarto or with pandoc + typst (`render`)."""
