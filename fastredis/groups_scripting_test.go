package fastredis

import (
	"testing"

	"github.com/fastredis/fastredis/redistest"
	"github.com/fastredis/fastredis/resp"
)

const lib = `#!lua name=testlib
redis.register_function('echo_keys', function(keys, args) return {keys[1], args[1]} end)
redis.register_function{function_name='ro_get', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}
redis.register_function('set_it', function(keys, args) return redis.call('SET', keys[1], args[1]) end)
`

func TestGroupScripting(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		t.Run("EVAL", func(t *testing.T) {
			r := val[Reply](t, "EVAL")(c.Eval(bg, "return {KEYS[1], ARGV[1], ARGV[2], 7}", []string{"k\r\n"}, "a\x00", ""))
			if s, _ := r.Strings(); len(r.Elems) != 4 || s[0] != "k\r\n" || s[1] != "a\x00" || s[2] != "" || r.Elems[3].Int != 7 {
				t.Errorf("EVAL = %+v", r)
			}
			eq(t, "EVAL integer", int64(2))(func() (int64, error) {
				r, err := c.Eval(bg, "return #KEYS", []string{"a", "b"})
				return r.Int, err
			}())
			eq(t, "EVAL status", "OK")(func() (string, error) {
				r, err := c.Eval(bg, "return redis.call('SET', KEYS[1], ARGV[1])", []string{"k"}, "v")
				return r.Str, err
			}())
			eq(t, "set by the script", "v")(c.Get(bg, "k"))
			isNil[Reply](t, "EVAL returning nil")(c.Eval(bg, "return nil", nil))
			isErr[Reply](t, "EVAL error", "ERR")(c.Eval(bg, "return redis.call('NOSUCHCOMMAND')", nil))
			isErr[Reply](t, "EVAL syntax error", "ERR")(c.Eval(bg, "this is not lua", nil))
			r = val[Reply](t, "EVAL_RO")(c.EvalRO(bg, "return redis.call('GET', KEYS[1])", []string{"k"}))
			if r.Str != "v" {
				t.Errorf("EVAL_RO = %+v", r)
			}
			isErr[Reply](t, "EVAL_RO writing", "ERR")(c.EvalRO(bg, "return redis.call('SET', KEYS[1], 'x')", []string{"k"}))
		})
		t.Run("SCRIPT EVALSHA", func(t *testing.T) {
			const script = "return ARGV[1] .. KEYS[1]"
			sha := val[string](t, "SCRIPT LOAD")(c.ScriptLoad(bg, script))
			if len(sha) != 40 {
				t.Fatalf("SCRIPT LOAD = %q", sha)
			}
			eq(t, "SCRIPT LOAD append", []byte(sha))(c.ScriptLoadAppend(bg, nil, script))
			eq(t, "SCRIPT EXISTS", []bool{true, false})(c.ScriptExists(bg, sha, "0000000000000000000000000000000000000000"))
			r := val[Reply](t, "EVALSHA")(c.EvalSha(bg, sha, []string{"key"}, "arg:"))
			if r.Str != "arg:key" {
				t.Errorf("EVALSHA = %+v", r)
			}
			r = val[Reply](t, "EVALSHA_RO")(c.EvalShaRO(bg, sha, []string{"k2"}, ""))
			if r.Str != "k2" {
				t.Errorf("EVALSHA_RO = %+v", r)
			}
			noErr(t, "SCRIPT FLUSH", c.ScriptFlush(bg, ScriptFlushOptions{FlushType: FlushSync}))
			eq(t, "SCRIPT EXISTS after flush", []bool{false})(c.ScriptExists(bg, sha))
			isErr[Reply](t, "EVALSHA unknown", "NOSCRIPT")(c.EvalSha(bg, sha, []string{"key"}, "arg:"))
			checkErr(t, "SCRIPT KILL with nothing running", "NOTBUSY", c.ScriptKill(bg))
		})
		t.Run("FUNCTION FCALL", func(t *testing.T) {
			noErr(t, "FUNCTION FLUSH", c.FunctionFlush(bg))
			eq(t, "FUNCTION LOAD", "testlib")(c.FunctionLoad(bg, lib))
			isErr[string](t, "FUNCTION LOAD again", "ERR")(c.FunctionLoad(bg, lib))
			eq(t, "FUNCTION LOAD REPLACE", "testlib")(c.FunctionLoad(bg, lib, FunctionLoadOptions{Replace: true}))
			r := val[Reply](t, "FCALL")(c.FCall(bg, "echo_keys", []string{"key1"}, "arg1"))
			if s, _ := r.Strings(); len(s) != 2 || s[0] != "key1" || s[1] != "arg1" {
				t.Errorf("FCALL = %+v", r)
			}
			r = val[Reply](t, "FCALL set")(c.FCall(bg, "set_it", []string{"fk"}, "fv"))
			if r.Str != "OK" {
				t.Errorf("FCALL set_it = %+v", r)
			}
			r = val[Reply](t, "FCALL_RO")(c.FCallRO(bg, "ro_get", []string{"fk"}))
			if r.Str != "fv" {
				t.Errorf("FCALL_RO = %+v", r)
			}
			isNil[Reply](t, "FCALL_RO of a missing key")(c.FCallRO(bg, "ro_get", []string{"nokey"}))
			isErr[Reply](t, "FCALL_RO of a writing function", "ERR")(c.FCallRO(bg, "set_it", []string{"fk"}, "x"))
			isErr[Reply](t, "FCALL unknown", "ERR")(c.FCall(bg, "nope", nil))
			list := val[Reply](t, "FUNCTION LIST")(c.FunctionList(bg, FunctionListOptions{LibraryName: "test*", WithCode: true}))
			if len(list.Elems) != 1 {
				t.Errorf("FUNCTION LIST = %+v", list)
			}
			dump := val[string](t, "FUNCTION DUMP")(c.FunctionDump(bg))
			noErr(t, "FUNCTION DELETE", c.FunctionDelete(bg, "testlib"))
			checkErr(t, "FUNCTION DELETE missing", "ERR", c.FunctionDelete(bg, "testlib"))
			noErr(t, "FUNCTION RESTORE", c.FunctionRestore(bg, dump, FunctionRestoreOptions{Policy: FunctionRestoreReplace}))
			r = val[Reply](t, "FCALL after restore")(c.FCall(bg, "echo_keys", []string{"a"}, "b"))
			if len(r.Elems) != 2 {
				t.Errorf("FCALL after restore = %+v", r)
			}
			stats := val[Reply](t, "FUNCTION STATS")(c.FunctionStats(bg))
			if stats.Type != resp.Map && stats.Type != resp.Array {
				t.Errorf("FUNCTION STATS = %+v", stats)
			}
			checkErr(t, "FUNCTION KILL with nothing running", "NOTBUSY", c.FunctionKill(bg))
			noErr(t, "FUNCTION FLUSH ASYNC", c.FunctionFlush(bg, FunctionFlushOptions{FlushType: FlushAsync}))
		})
	})
}
