"""What the core answers: reply values, their Markdown,
escaping user text, and views of stored records."""
