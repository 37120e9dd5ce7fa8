"""Open data (オープンデータ): the catalogue and the yearly figures, under CC BY 4.0."""
