"""Collection: Excel workbooks generated from the catalogue, and their validated import."""
