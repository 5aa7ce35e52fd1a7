package main

import (
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"strings"
	"testing"
)

// TestTypeRules checks, on the generated Client methods, what each rule of
// rules.go and the options convention give the methods a user calls most.
func TestTypeRules(t *testing.T) {
	needSpecs(t)
	files, err := generateFiles(specsDir, pkgDir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	sigs := map[string]string{}   // method -> parameters after ctx
	fields := map[string]string{} // Type.Field -> type
	for name, src := range files {
		if !strings.HasPrefix(name, "commands_") {
			continue
		}
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					continue
				}
				if st, ok := d.Recv.List[0].Type.(*ast.StarExpr); !ok || st.X.(*ast.Ident).Name != "Client" {
					continue // SentinelClient's methods
				}
				var b strings.Builder
				for i, p := range d.Type.Params.List[1:] {
					if i > 0 {
						b.WriteString(", ")
					}
					for j, n := range p.Names {
						if j > 0 {
							b.WriteString(", ")
						}
						b.WriteString(n.Name)
					}
					b.WriteString(" ")
					printer.Fprint(&b, fset, p.Type)
				}
				sigs[d.Name.Name] = b.String()
			case *ast.GenDecl:
				for _, s := range d.Specs {
					ts, ok := s.(*ast.TypeSpec)
					if !ok {
						continue
					}
					st, ok := ts.Type.(*ast.StructType)
					if !ok {
						continue
					}
					for _, fl := range st.Fields.List {
						var b strings.Builder
						printer.Fprint(&b, fset, fl.Type)
						for _, n := range fl.Names {
							fields[ts.Name.Name+"."+n.Name] = b.String()
						}
					}
				}
			}
		}
	}
	for _, tc := range []struct{ method, want string }{
		// Values of any kind; lists of them flatten.
		{"Set", "key string, value any, opts ...SetOptions"},
		{"LPush", "key string, elements ...any"},
		{"SAdd", "key string, members ...any"},
		{"SIsMember", "key string, member any"},
		{"Publish", "channel string, message any"},
		{"Eval", "script string, keys []string, args ...any"},
		{"ZRange", "key string, start any, stop any, opts ...ZRangeOptions"},
		{"ZCount", "key string, min any, max any"},
		{"HGet", "key string, field string"}, // names stay strings
		// Pairs.
		{"HSet", "key string, fieldValues ...any"},
		{"MSet", "keyValues ...any"},
		{"XAdd", "key string, id string, opts *XAddOptions, fieldValues ...any"},
		// Durations and times, and the seconds/milliseconds twins.
		{"Expire", "key string, expiration time.Duration, opts ...ExpireOptions"},
		{"PExpire", "key string, expiration time.Duration, opts ...PExpireOptions"},
		{"ExpireAt", "key string, at time.Time, opts ...ExpireAtOptions"},
		{"SetEx", "key string, expiration time.Duration, value any"},
		{"BLPop", "keys []string, timeout time.Duration"},
		{"BLMPop", "timeout time.Duration, keys []string, where ListSide, opts ...BLMPopOptions"},
		{"Wait", "numReplicas int64, timeout time.Duration"},
		{"ClientPause", "timeout time.Duration, opts ...ClientPauseOptions"},
		{"XAutoClaim", "key string, group string, consumer string, minIdleTime time.Duration, start string, opts ...XAutoClaimOptions"},
		// All-optional commands need no nil.
		{"Ping", "opts ...PingOptions"},
		{"FlushDB", "opts ...FlushDBOptions"},
		// A list of values last: the options are a pointer before it.
		{"ZAdd", "key string, opts *ZAddOptions, members ...Z"},
	} {
		if got := sigs[tc.method]; got != tc.want {
			t.Errorf("%s(ctx, %s), want (ctx, %s)", tc.method, got, tc.want)
		}
	}
	for _, tc := range []struct{ field, want string }{
		{"SetOptions.TTL", "time.Duration"},  // EX | PX
		{"SetOptions.ExpireAt", "time.Time"}, // EXAT | PXAT
		{"GetExOptions.TTL", "time.Duration"},
		{"XReadOptions.Block", "time.Duration"},
		{"XClaimOptions.Idle", "time.Duration"},
		{"XClaimOptions.Time", "time.Time"},
		{"XPendingExtOptions.Idle", "time.Duration"},
		{"RestoreOptions.IdleTime", "time.Duration"},
		{"FailoverOptions.Timeout", "time.Duration"},
		{"Z.Member", "any"},
		{"Z.Score", "float64"},
		{"GeoMember.Member", "any"},
		{"PingOptions.Message", "any"},
	} {
		if got := fields[tc.field]; got != tc.want {
			t.Errorf("%s is %q, want %s", tc.field, got, tc.want)
		}
	}
	if _, ok := fields["SetOptions.EX"]; ok {
		t.Error("SetOptions still has EX beside TTL")
	}
}
