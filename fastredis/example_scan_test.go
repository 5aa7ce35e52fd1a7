package fastredis_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/fastredis/fastredis/fastredis"
)

// StoredUser is stored as a hash: each tagged field is a field of the hash.
type StoredUser struct {
	Name    string    `redis:"name"`
	Age     int       `redis:"age"`
	Admin   bool      `redis:"admin"`
	Created time.Time `redis:"created"`
	Note    string    `redis:"note,omitempty"` // not written when empty
	Session string    // untagged: not stored
}

func ExampleClient_HGetAllScan() {
	client, err := fastredis.NewClient(fastredis.Options{Addr: redisAddr})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	in := StoredUser{Name: "Ada", Age: 36, Created: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)}
	if _, err := client.HSetStruct(ctx, "example:scan:user:1", &in); err != nil {
		log.Fatal(err)
	}

	var u StoredUser
	if err := client.HGetAllScan(ctx, "example:scan:user:1", &u); err != nil {
		log.Fatal(err) // Nil if there is no hash at the key
	}
	fmt.Println(u.Name, u.Age, u.Created.Format(time.DateOnly))

	// HMGET of the struct's fields only.
	var who struct {
		Name string `redis:"name"`
	}
	err = client.HMGetScan(ctx, "example:scan:user:2", &who)
	fmt.Println(errors.Is(err, fastredis.Nil))
	// Output:
	// Ada 36 2024-05-06
	// true
}

func ExampleXMessage_Scan() {
	client, err := fastredis.NewClient(fastredis.Options{Addr: redisAddr})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	type Event struct {
		Kind string `redis:"kind"`
		User int64  `redis:"user"`
	}
	fields, err := fastredis.StructFields(Event{Kind: "login", User: 1})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.Del(ctx, "example:scan:events"); err != nil {
		log.Fatal(err)
	}
	if _, err := client.XAdd(ctx, "example:scan:events", "*", nil, fields); err != nil {
		log.Fatal(err)
	}
	msgs, err := client.XRange(ctx, "example:scan:events", "-", "+")
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range msgs {
		var e Event
		if err := m.Scan(&e); err != nil {
			log.Fatal(err)
		}
		fmt.Println(e.Kind, e.User)
	}
	// Output:
	// login 1
}

// StructFields and ScanMap convert without a server: here a struct goes to
// the field-value pairs HSET would store, and back from a map such as
// HGetAll returns.
func ExampleScanMap() {
	in := StoredUser{Name: "Ada", Age: 36, Admin: true, Created: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC), Session: "x"}
	fields, err := fastredis.StructFields(&in)
	if err != nil {
		log.Fatal(err)
	}
	m := map[string]string{}
	for _, fv := range fields {
		fmt.Printf("%s=%s\n", fv.Field, fv.Value)
		m[fv.Field] = fv.Value
	}

	var out StoredUser
	if err := fastredis.ScanMap(&out, m); err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.Name, out.Age, out.Admin, out.Created.Equal(in.Created), out.Session == "")

	m["age"] = "thirty-six"
	fmt.Println(fastredis.ScanMap(&out, m))
	// Output:
	// name=Ada
	// age=36
	// admin=1
	// created=2024-05-06T07:08:09Z
	// Ada 36 true true true
	// fastredis: field Age (int): strconv.ParseInt: parsing "thirty-six": invalid syntax
}
