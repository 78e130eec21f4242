"""Recommender algorithms (popularity, item-kNN, EASE), their metrics, splits and model choice.

Pure numpy/scipy over a users x items interaction matrix: no database, no web. The trainer and
the feeds build the matrix from behaviour events; ``agora recs evaluate`` runs the same code on
MovieLens-100k.
"""
