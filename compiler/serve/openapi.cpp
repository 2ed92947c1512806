#include "compiler/serve/openapi.h"

namespace edict::serve {

// Kept beside the routes of serve.cpp: the test of `edict serve` checks that every route it
// exercises is listed here, and that this is valid JSON.
const std::string& OpenApiJson() {
  static const std::string kDocument = R"json({
  "openapi": "3.0.3",
  "info": {
    "title": "Edict decision service",
    "version": "1",
    "description": "Decisions of a regulation written in Edict: its instruments, versions and decisions, evaluation of cases with their deciding provisions, and the differential explanation of a case between two versions. Errors are JSON objects {\"error\": {\"kind\", \"message\", \"field\"?}}; a case that does not fit a decision's input gets 422 (400 if it is not JSON) with each issue's field path. With --allow-origin, answers carry CORS headers for the origins allowed, and OPTIONS (a preflight) is answered on every path."
  },
  "paths": {
    "/": {
      "get": {
        "summary": "The page for trying a case: a form built from a decision's schema, the verdict with its explanation, the comparison of two versions (docs/publishing.md, \"The page\"). Its scripts and style sheet are served beside it (/page.js, /page.css). A query parameter api=URL makes it call another server.",
        "responses": {"200": {"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}}}
      }
    },
    "/health": {
      "get": {
        "summary": "Whether the service is up, and which program it serves",
        "responses": {"200": {"description": "The program's file, generation, load time, engine and number of versions, and the last reload error (null if the last reload succeeded)", "content": {"application/json": {"schema": {"type": "object"}}}}}
      }
    },
    "/metrics": {
      "get": {
        "summary": "Prometheus metrics: requests by route, method and status, latency histograms, decisions, log errors, reloads",
        "responses": {"200": {"description": "Prometheus text format 0.0.4", "content": {"text/plain": {"schema": {"type": "string"}}}}}
      }
    },
    "/openapi.json": {
      "get": {
        "summary": "This document",
        "responses": {"200": {"description": "OpenAPI 3", "content": {"application/json": {"schema": {"type": "object"}}}}}
      }
    },
    "/instruments": {
      "get": {
        "summary": "The instruments of the program (the headers of its files): name, file and fields such as title, citation and effective date",
        "responses": {"200": {"description": "{\"instruments\": [...]}", "content": {"application/json": {"schema": {"type": "object"}}}}}
      }
    },
    "/versions": {
      "get": {
        "summary": "The versions of the law, oldest first, each with its effective date, instrument and decisions",
        "responses": {"200": {"description": "{\"versions\": [...]}", "content": {"application/json": {"schema": {"type": "object"}}}}}
      }
    },
    "/decisions": {
      "get": {
        "summary": "The decisions of a version (the latest by default): name, citation, inputs and outcome type",
        "parameters": [{"$ref": "#/components/parameters/version"}, {"$ref": "#/components/parameters/as_of"}],
        "responses": {
          "200": {"description": "{\"version\": ..., \"decisions\": [...]}", "content": {"application/json": {"schema": {"type": "object"}}}},
          "404": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/decisions/{name}/schema": {
      "get": {
        "summary": "The JSON Schema (draft 2020-12) of a decision's input, as `edict schema` prints it",
        "parameters": [{"$ref": "#/components/parameters/name"}, {"$ref": "#/components/parameters/version"}, {"$ref": "#/components/parameters/as_of"}],
        "responses": {
          "200": {"description": "The schema", "content": {"application/schema+json": {"schema": {"type": "object"}}}},
          "404": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/decisions/{name}/outcome-schema": {
      "get": {
        "summary": "The JSON Schema of a decision's outcome: its type, with the doc strings of its fields and of its enums' members (x-edict-member-docs), which the page uses to label a verdict",
        "parameters": [{"$ref": "#/components/parameters/name"}, {"$ref": "#/components/parameters/version"}, {"$ref": "#/components/parameters/as_of"}],
        "responses": {
          "200": {"description": "The schema", "content": {"application/schema+json": {"schema": {"type": "object"}}}},
          "404": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/decisions/{name}/evaluate": {
      "post": {
        "summary": "Decide one case (a JSON object, one key per input), or a stream of cases (JSON Lines, Content-Type application/x-ndjson: one result per line, with its line number). Every decided case is written to the decision log before the response.",
        "parameters": [
          {"$ref": "#/components/parameters/name"}, {"$ref": "#/components/parameters/version"}, {"$ref": "#/components/parameters/as_of"},
          {"name": "explain", "in": "query", "required": false, "schema": {"type": "boolean"}, "description": "Add the explanation (rules applied, overridden, the values that decided), as `edict eval --explain --format json` gives it"},
          {"name": "duplex", "in": "query", "required": false, "schema": {"type": "boolean"}, "description": "For a stream: write each result as soon as its case is decided and logged, while the body is still arriving (200, chunked; the client must read while it sends). A limit passed after the answer has started ends it with a line holding only `error`"}
        ],
        "requestBody": {"required": true, "content": {
          "application/json": {"schema": {"type": "object"}},
          "application/x-ndjson": {"schema": {"type": "string"}}
        }},
        "responses": {
          "200": {"description": "{\"decision_id\", \"decision\", \"version\", \"outcome\", \"deciding_rules\": [{\"rule\", \"citation\"}], \"explanation\"?}; for a stream, one such object per line, or a line's error", "content": {"application/json": {"schema": {"type": "object"}}, "application/x-ndjson": {"schema": {"type": "string"}}}},
          "400": {"$ref": "#/components/responses/CaseError"},
          "404": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/CaseError"},
          "500": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/decisions/{name}/explain-diff": {
      "post": {
        "summary": "One case explained under two versions, with the first provision where they part (as `edict explain --diff`)",
        "parameters": [
          {"$ref": "#/components/parameters/name"},
          {"name": "old", "in": "query", "required": false, "schema": {"type": "string"}, "description": "The old version (default: the one before the new)"},
          {"name": "new", "in": "query", "required": false, "schema": {"type": "string"}, "description": "The new version (default: the latest)"}
        ],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {
          "200": {"description": "{\"decision\", \"old\": {\"version\", \"label\", \"outcome\", \"explanation\"}, \"new\": {...}, \"same_outcome\", \"first_difference\", \"differences\", \"text\"}", "content": {"application/json": {"schema": {"type": "object"}}}},
          "400": {"$ref": "#/components/responses/CaseError"},
          "404": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/CaseError"}
        }
      }
    }
  },
  "components": {
    "parameters": {
      "name": {"name": "name", "in": "path", "required": true, "schema": {"type": "string"}, "description": "The decision"},
      "version": {"name": "version", "in": "query", "required": false, "schema": {"type": "string"}, "description": "A version by name (GET /versions); default: the latest"},
      "as_of": {"name": "as_of", "in": "query", "required": false, "schema": {"type": "string", "format": "date"}, "description": "The version in force on this date (YYYY-MM-DD)"}
    },
    "schemas": {
      "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {"kind": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}}, "required": ["kind", "message"]}}},
      "CaseError": {"type": "object", "properties": {"error": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["invalid_case"]}, "issues": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string", "nullable": true, "description": "Dotted path to the field, e.g. shipment.destination; null for the case as a whole"}, "message": {"type": "string"}}}}}}}}
    },
    "responses": {
      "Error": {"description": "An error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "CaseError": {"description": "The case does not fit the decision's input (422), or is not JSON (400); or it could not be decided (422: an `error` with the runtime error's kind, message and place)", "content": {"application/json": {"schema": {"oneOf": [{"$ref": "#/components/schemas/CaseError"}, {"type": "object"}]}}}}
    }
  }
}
)json";
  return kDocument;
}

}  // namespace edict::serve
