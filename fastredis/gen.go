package fastredis

// The typed command methods, one per Redis command and subcommand, are
// generated from the Redis command specs by internal/cmdgen/methods (its
// package documentation states the rules) into commands_<group>_gen.go;
// commands_index_gen.go lists them, and cmdable_gen.go declares Cmdable, the
// interface of them all. The specs are data kept outside the
// repository, in ../shared/redis-commands. To regenerate, from the
// repository root:
//
//	go generate ./fastredis/

//go:generate go run ../internal/cmdgen/methods -specs ../../shared/redis-commands -out .
