-- What PostGraphile exposes for `python -m bench.compare`: read-only views over the hub's own tables, in a
-- schema of their own, so its generated graph holds exactly the glance page's shape and nothing else.
-- Public items are the statuses hub/enums.py PUBLIC_STATUSES lists (the feed's `_public` condition).
-- Smart tags (comments) give the views the primary and foreign keys PostGraphile cannot infer from a view.
DROP SCHEMA IF EXISTS bench_pgl CASCADE;
CREATE SCHEMA bench_pgl;

CREATE VIEW bench_pgl.areas AS SELECT id, slug, name FROM public.area;
CREATE VIEW bench_pgl.places AS SELECT id, name, address, lat, lng FROM public.place;
CREATE VIEW bench_pgl.organisations AS SELECT id, slug, name, area_id FROM public.organisation;
CREATE VIEW bench_pgl.feed_items AS
  SELECT id, kind, status, title, starts_at, ends_at, posted_at, organisation_id, area_id, place_id
  FROM public.feed_item
  WHERE status IN ('PUBLISHED', 'RESCHEDULED', 'CANCELLED');

COMMENT ON VIEW bench_pgl.areas IS E'@primaryKey id\n@behavior -insert -update -delete';
COMMENT ON VIEW bench_pgl.places IS E'@primaryKey id\n@behavior -insert -update -delete';
COMMENT ON VIEW bench_pgl.organisations IS
  E'@primaryKey id\n@foreignKey (area_id) references bench_pgl.areas (id)\n@behavior -insert -update -delete';
COMMENT ON VIEW bench_pgl.feed_items IS
  E'@primaryKey id\n'
  '@foreignKey (organisation_id) references bench_pgl.organisations (id)\n'
  '@foreignKey (area_id) references bench_pgl.areas (id)\n'
  '@foreignKey (place_id) references bench_pgl.places (id)\n'
  '@behavior -insert -update -delete';
-- The hub's NEWEST order is (posted_at DESC, id DESC); views have no indexes, so allow ordering by it.
COMMENT ON COLUMN bench_pgl.feed_items.posted_at IS E'@behavior +orderBy';
