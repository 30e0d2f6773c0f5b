"""Moving in from WordPress and FeedBurner: posts, pages, media, old addresses, subscribers.

The importers turn a WordPress export (:mod:`condividi.migrate.wxr` reads it once for all of
them) into Markdown under ``content/``, write the old addresses into the redirect map
(:mod:`condividi.migrate.redirect_map`) that the build publishes, and bring subscriber lists
into the configured newsletter provider.
"""
