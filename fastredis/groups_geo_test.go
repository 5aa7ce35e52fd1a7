package fastredis

import (
	"math"
	"testing"

	"github.com/fastredis/fastredis/redistest"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestGroupGeo(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		sicily := []GeoMember{
			{Longitude: 13.361389, Latitude: 38.115556, Member: "Palermo"},
			{Longitude: 15.087269, Latitude: 37.502669, Member: "Catania"},
		}
		t.Run("GEOADD GEODIST GEOPOS GEOHASH", func(t *testing.T) {
			eq(t, "GEOADD", int64(2))(c.GeoAdd(bg, "Sicily", nil, sicily...))
			eq(t, "GEOADD NX existing", int64(0))(c.GeoAdd(bg, "Sicily", &GeoAddOptions{Condition: NX}, GeoMember{Longitude: 1, Latitude: 1, Member: "Palermo"}))
			eq(t, "GEOADD XX CH", int64(1))(c.GeoAdd(bg, "Sicily", &GeoAddOptions{Condition: XX, CH: true}, GeoMember{Longitude: 13.5, Latitude: 38.2, Member: "Palermo"}))
			c.GeoAdd(bg, "Sicily", nil, sicily[0])
			isErr[int64](t, "GEOADD out of range", "ERR")(c.GeoAdd(bg, "Sicily", nil, GeoMember{Longitude: 200, Latitude: 100, Member: "nowhere"}))
			if d := val[float64](t, "GEODIST")(c.GeoDist(bg, "Sicily", "Palermo", "Catania")); !near(d, 166274.15, 1) {
				t.Errorf("GEODIST = %v m", d)
			}
			if d := val[float64](t, "GEODIST km")(c.GeoDist(bg, "Sicily", "Palermo", "Catania", GeoDistOptions{Unit: Kilometers})); !near(d, 166.2742, 0.001) {
				t.Errorf("GEODIST km = %v", d)
			}
			isNil[float64](t, "GEODIST missing member")(c.GeoDist(bg, "Sicily", "Palermo", "Rome"))
			pos := val[[]GeoPos](t, "GEOPOS")(c.GeoPos(bg, "Sicily", "Palermo", "Rome", "Catania"))
			if len(pos) != 3 || !pos[0].Valid || pos[1].Valid || !pos[2].Valid || !near(pos[0].Longitude, 13.361389, 1e-5) || !near(pos[2].Latitude, 37.502669, 1e-5) {
				t.Errorf("GEOPOS = %+v", pos)
			}
			eq(t, "GEOPOS missing key", []GeoPos{{}})(c.GeoPos(bg, "missing", "x"))
			eq(t, "GEOHASH", []string{"sqc8b49rny0", "sqdtr74hyu0"})(c.GeoHash(bg, "Sicily", "Palermo", "Catania"))
		})
		t.Run("GEOSEARCH", func(t *testing.T) {
			c.GeoAdd(bg, "S", nil, sicily...)
			c.GeoAdd(bg, "S", nil, GeoMember{Longitude: 12.758489, Latitude: 38.788135, Member: "edge1"}, GeoMember{Longitude: 17.241510, Latitude: 38.788135, Member: "edge2"})
			fromLonLat := GeoSearchFrom{FromLonLat: &GeoLonLat{Longitude: 15, Latitude: 37}}
			eq(t, "GEOSEARCH BYRADIUS ASC", []string{"Catania", "Palermo"})(c.GeoSearch(bg, "S", fromLonLat,
				GeoSearchBy{Circle: &GeoRadius{Radius: 200, Unit: Kilometers}}, GeoSearchOptions{Order: Asc}))
			eq(t, "GEOSEARCH BYBOX COUNT", []string{"Catania", "Palermo", "edge2"})(c.GeoSearch(bg, "S", fromLonLat,
				GeoSearchBy{Box: &GeoBox{Width: 400, Height: 400, Unit: Kilometers}}, GeoSearchOptions{Order: Asc, Count: &GeoCount{Count: 3}}))
			eq(t, "GEOSEARCH FROMMEMBER", []string{"Palermo", "edge1"})(c.GeoSearch(bg, "S", GeoSearchFrom{FromMember: "Palermo"},
				GeoSearchBy{Circle: &GeoRadius{Radius: 100, Unit: Kilometers}}, GeoSearchOptions{Order: Asc}))
			locs := val[[]GeoLocation](t, "GEOSEARCH WITHCOORD WITHDIST WITHHASH")(c.GeoSearchLocation(bg, "S", fromLonLat,
				GeoSearchBy{Circle: &GeoRadius{Radius: 200, Unit: Kilometers}}, GeoSearchLocationOptions{Order: Asc, WithCoord: true, WithDist: true, WithHash: true}))
			if len(locs) != 2 || locs[0].Member != "Catania" || !near(locs[0].Dist, 56.4413, 0.001) || locs[0].Hash != 3479447370796909 ||
				!near(locs[0].Longitude, 15.087269, 1e-5) || !near(locs[1].Latitude, 38.115556, 1e-5) {
				t.Errorf("GEOSEARCH WITH* = %+v", locs)
			}
			eq(t, "GEOSEARCH WITHDIST only", []GeoLocation{{Member: "Catania", Dist: 56.4413}})(c.GeoSearchLocation(bg, "S", fromLonLat,
				GeoSearchBy{Circle: &GeoRadius{Radius: 100, Unit: Kilometers}}, GeoSearchLocationOptions{WithDist: true}))
			eq(t, "GEOSEARCH no WITH (names only)", []GeoLocation{{Member: "Catania"}})(c.GeoSearchLocation(bg, "S", fromLonLat,
				GeoSearchBy{Circle: &GeoRadius{Radius: 100, Unit: Kilometers}}))
			eq(t, "GEOSEARCH missing key", []string{})(c.GeoSearch(bg, "missing", fromLonLat, GeoSearchBy{Circle: &GeoRadius{Radius: 1, Unit: Meters}}))
			isErr[[]string](t, "GEOSEARCH FROMMEMBER missing", "ERR")(c.GeoSearch(bg, "S", GeoSearchFrom{FromMember: "Rome"}, GeoSearchBy{Circle: &GeoRadius{Radius: 1, Unit: Meters}}))
			isErr[[]string](t, "GEOSEARCH without BY", "ERR")(c.GeoSearch(bg, "S", fromLonLat, GeoSearchBy{}))
			eq(t, "GEOSEARCHSTORE", int64(2))(c.GeoSearchStore(bg, "near", "S", fromLonLat, GeoSearchBy{Circle: &GeoRadius{Radius: 200, Unit: Kilometers}}))
			eq(t, "GEOSEARCHSTORE STOREDIST", int64(2))(c.GeoSearchStore(bg, "dists", "S", fromLonLat, GeoSearchBy{Circle: &GeoRadius{Radius: 200, Unit: Kilometers}}, GeoSearchStoreOptions{StoreDist: true}))
			if d := val[float64](t, "stored distance")(c.ZScore(bg, "dists", "Catania")); !near(d, 56.4413, 0.001) {
				t.Errorf("STOREDIST score = %v", d)
			}
			r := val[Reply](t, "GEORADIUS_RO")(c.GeoRadiusRO(bg, "S", 15, 37, 200, Kilometers, GeoRadiusROOptions{Order: Asc}))
			if s, _ := r.Strings(); len(s) != 2 || s[0] != "Catania" {
				t.Errorf("GEORADIUS_RO = %+v", r)
			}
			r = val[Reply](t, "GEORADIUSBYMEMBER STORE")(c.GeoRadiusByMember(bg, "S", "Palermo", 100, Kilometers, GeoRadiusByMemberOptions{Store: "stored"}))
			if r.Int != 2 {
				t.Errorf("GEORADIUSBYMEMBER STORE = %+v", r)
			}
		})
		t.Run("wrong type", func(t *testing.T) {
			c.Set(bg, "str", "x")
			isErr[int64](t, "GEOADD string", "WRONGTYPE")(c.GeoAdd(bg, "str", nil, sicily[0]))
			isErr[[]GeoPos](t, "GEOPOS string", "WRONGTYPE")(c.GeoPos(bg, "str", "x"))
		})
	})
}
