"""Chat adapters: each turns its platform's requests into core calls and renders the replies."""
