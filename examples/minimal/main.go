// readme:begin

// Command minimal serves an API whose /api/ routes need a valid access
// token from the issuer below. It is the README's first program.
package main

import (
	"fmt"
	"log"
	"net/http"

	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
)

func main() {
	v, err := middleware.New([]middleware.Issuer{{
		URL:       "https://id.example.com/realms/acme", // the exact iss of your tokens
		Audiences: []string{"orders-api"},               // what your API calls itself
	}})
	if err != nil {
		log.Fatal(err)
	}

	api := http.NewServeMux()
	api.HandleFunc("GET /api/me", func(w http.ResponseWriter, r *http.Request) {
		claims, _ := middleware.ClaimsFromContext(r.Context()) // always there behind Protect
		fmt.Fprintf(w, "hello, %s\n", claims.Subject)
	})
	http.Handle("/api/", nethttp.Protect(v)(api))
	err = http.ListenAndServe(":8080", nil) // returns only on failure
	v.Close()
	log.Fatal(err)
}

// readme:end
