"""Turns an operator's published CRD into the schema KubernetesManifestsTest checks against.

Usage: crd_schema.py CRD_YAML SOURCE OUT_JSON
  CRD_YAML  the CustomResourceDefinition as the operator's release publishes it
  SOURCE    where it came from, e.g. "strimzi/strimzi-kafka-operator 1.2.0 packaging/install/cluster-operator/040-Crd-kafka.yaml"
  OUT_JSON  deploy/src/test/resources/crd-schemas/<group>_<version>_<Kind>.json

Keeps the openAPIV3Schema of the storage version as the API server enforces it
(types, properties, required, enums, bounds, patterns), minus the prose
descriptions and the status, which no manifest writes; so an operator upgrade is
one run of this per CRD and a reviewable diff of field changes.
"""
import json
import sys

import yaml


def without_prose(schema):
    if isinstance(schema, dict):
        # "description" is prose where it is a string; under "properties" it may be a field's name (CNPG's spec.description)
        return {k: without_prose(v) for k, v in schema.items() if not (k == "description" and isinstance(v, str))}
    if isinstance(schema, list):
        return [without_prose(v) for v in schema]
    return schema


def main(crd_file, source, out_file):
    with open(crd_file) as f:
        crd = yaml.safe_load(f)
    version = next(v for v in crd["spec"]["versions"] if v.get("storage"))
    schema = version["schema"]["openAPIV3Schema"]
    schema.get("properties", {}).pop("status", None)
    out = {
        "source": source,
        "apiVersion": crd["spec"]["group"] + "/" + version["name"],
        "kind": crd["spec"]["names"]["kind"],
        "schema": without_prose(schema),
    }
    with open(out_file, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
