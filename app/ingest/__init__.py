"""Document ingestion: HTML, PDF, DOCX, Markdown and plain text become knowledge-base articles."""
