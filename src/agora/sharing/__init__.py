"""Share links and attribution (PRODUCT.md K): short codes, visits, first- and last-touch."""
