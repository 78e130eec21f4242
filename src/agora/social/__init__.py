"""Social graph and moments (PRODUCT.md I): friends, blocks, followed stores, the friends feed."""
