"""Note files, the blog-style posts people already keep:
decoding, parsing, importing, writing and exporting."""
