"""boto3 against the simulator: the 2025-2026 behaviours it serves (KMS_FACTS.md sections 1, 2,
3, 4, 5 and 6), each asserted with the error code KMS documents. Run by tests/sim/boto3_conformance.rs
with the simulator's endpoint as argv[1]; prints one line per check and exits 1 on the first
that fails."""

import datetime
import sys

import boto3
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = sys.argv[1]
CONFIG = Config(retries={"max_attempts": 1})


def client(service, region):
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=ENDPOINT,
        aws_access_key_id="AKIDTESTTESTTEST",
        aws_secret_access_key="test-secret-not-real",
        config=CONFIG,
    )


def code_of(call):
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"]
    return "no error"


def check(name, got, want):
    print(f"{'ok' if got == want else 'FAILED'}: {name}: {got!r} (want {want!r})")
    if got != want:
        sys.exit(1)


us, eu = client("kms", "us-east-1"), client("kms", "eu-west-1")
key = us.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
us.replicate_key(KeyId=key, ReplicaRegion="eu-west-1")
us.create_alias(AliasName="alias/conformance", TargetKeyId=key)

# GetKeyLastUsage (section 1): the three answers' shapes, an alias refused.
usage = us.get_key_last_usage(KeyId=key)
check("an unused key's KeyLastUsage is empty", usage["KeyLastUsage"], {})
check("a key made after tracking began starts there", usage["TrackingStartDate"], usage["KeyCreationDate"])
check("an alias is not a key ID", code_of(lambda: us.get_key_last_usage(KeyId="alias/conformance")), "NotFoundException")

# Crypto across a family (section 5).
blob = us.encrypt(KeyId=key, Plaintext=b"conformance", EncryptionContext={"app": "c"})["CiphertextBlob"]
out = eu.decrypt(CiphertextBlob=blob, EncryptionContext={"app": "c"})
check("a replica opens its primary's ciphertext", out["Plaintext"], b"conformance")
check("the replica named as the key that decrypted", ":eu-west-1:" in out["KeyId"], True)
check("another context", code_of(lambda: eu.decrypt(CiphertextBlob=blob, EncryptionContext={"app": "x"})), "InvalidCiphertextException")
used = eu.get_key_last_usage(KeyId=key)["KeyLastUsage"]
check("the replica's own use recorded", used.get("Operation"), "Decrypt")
eu.disable_key(KeyId=key)
check("a disabled replica", code_of(lambda: eu.decrypt(CiphertextBlob=blob, EncryptionContext={"app": "c"})), "DisabledException")
eu.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
check("a replica pending deletion", code_of(lambda: eu.decrypt(CiphertextBlob=blob, EncryptionContext={"app": "c"})), "KMSInvalidStateException")

# CloudTrail LookupEvents (section 6).
trail = client("cloudtrail", "eu-west-1")
arn = out["KeyId"]
events = trail.lookup_events(LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": arn}])["Events"]
names = [e["EventName"] for e in events]
check("newest first: the refused Decrypt after the deletion's scheduling", names[:2], ["Decrypt", "ScheduleKeyDeletion"])
check("the replica's records", "CreateKey" in names and "DisableKey" in names, True)
two = [
    {"AttributeKey": "EventName", "AttributeValue": "Decrypt"},
    {"AttributeKey": "ReadOnly", "AttributeValue": "true"},
]
check("one lookup attribute only", code_of(lambda: trail.lookup_events(LookupAttributes=two)), "InvalidLookupAttributesException")
now = datetime.datetime.now(datetime.timezone.utc)
check(
    "start after end",
    code_of(lambda: trail.lookup_events(StartTime=now, EndTime=now - datetime.timedelta(hours=1))),
    "InvalidTimeRangeException",
)
# Grants to service principals (section 2).
SERVICE = "us-east-1.supportauthz.amazonaws.com"
SOURCE = "arn:aws:support:us-east-1:111122223333:case/case-1"
grant_key = us.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
check(
    "a service grantee without SourceArn",
    code_of(lambda: us.create_grant(KeyId=grant_key, GranteeServicePrincipal=SERVICE, RetiringServicePrincipal=SERVICE, Operations=["Decrypt"])),
    "ValidationException",
)
check(
    "both grantee kinds",
    code_of(lambda: us.create_grant(KeyId=grant_key, GranteePrincipal="arn:aws:iam::111122223333:role/app", GranteeServicePrincipal=SERVICE, Operations=["Decrypt"])),
    "ValidationException",
)
us.create_grant(
    KeyId=grant_key,
    GranteeServicePrincipal=SERVICE,
    RetiringServicePrincipal=SERVICE,
    Operations=["Decrypt"],
    Constraints={"SourceArn": SOURCE},
)
grants = us.list_grants(KeyId=grant_key)["Grants"]
check("the grant listed by its service principal", grants[0].get("GranteeServicePrincipal"), SERVICE)
check("with its source ARN", grants[0]["Constraints"].get("SourceArn"), SOURCE)

# Key specs (section 4).
for spec, usage in [("ML_DSA_65", "SIGN_VERIFY"), ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY"), ("ML_KEM_768", "ENCAPSULATE_DECAPSULATE")]:
    made = us.create_key(MultiRegion=True, KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
    check(f"{spec} made multi-Region", (made["KeySpec"], made["MultiRegion"]), (spec, True))
check(
    "ML-KEM for encryption",
    code_of(lambda: us.create_key(KeySpec="ML_KEM_512", KeyUsage="ENCRYPT_DECRYPT")),
    "ValidationException",
)

# MACs, signatures and ML-KEM across a family (sections 4 and 5): made in one Region, checked in another.
mac_key = us.create_key(MultiRegion=True, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
us.replicate_key(KeyId=mac_key, ReplicaRegion="eu-west-1")
mac = us.generate_mac(KeyId=mac_key, Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
check("a replica verifies its primary's MAC", eu.verify_mac(KeyId=mac_key, Message=b"m", Mac=mac, MacAlgorithm="HMAC_SHA_256")["MacValid"], True)
check("a wrong MAC", code_of(lambda: eu.verify_mac(KeyId=mac_key, Message=b"x", Mac=mac, MacAlgorithm="HMAC_SHA_256")), "KMSInvalidMacException")
sign_key = us.create_key(MultiRegion=True, KeySpec="ML_DSA_65", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
us.replicate_key(KeyId=sign_key, ReplicaRegion="eu-west-1")
signature = us.sign(KeyId=sign_key, Message=b"m", MessageType="RAW", SigningAlgorithm="ML_DSA_SHAKE_256")["Signature"]
check("a replica verifies its primary's signature", eu.verify(KeyId=sign_key, Message=b"m", MessageType="RAW", Signature=signature, SigningAlgorithm="ML_DSA_SHAKE_256")["SignatureValid"], True)
check("a wrong signature", code_of(lambda: eu.verify(KeyId=sign_key, Message=b"x", MessageType="RAW", Signature=signature, SigningAlgorithm="ML_DSA_SHAKE_256")), "KMSInvalidSignatureException")
kem_key = us.create_key(MultiRegion=True, KeySpec="ML_KEM_1024", KeyUsage="ENCAPSULATE_DECAPSULATE")["KeyMetadata"]["KeyId"]
us.replicate_key(KeyId=kem_key, ReplicaRegion="eu-west-1")
sealed = us.encapsulate(KeyId=kem_key, EncapsulationAlgorithm="ML_KEM")
check("an ML-KEM-1024 ciphertext is 1568 bytes", len(sealed["SharedSecretCiphertextBlob"]), 1568)
opened = eu.decapsulate(KeyId=kem_key, EncapsulationAlgorithm="ML_KEM", SharedSecretCiphertextBlob=sealed["SharedSecretCiphertextBlob"])
check("a replica decapsulates its primary's secret", opened["SharedSecret"], sealed["SharedSecret"])
check("a ciphertext of the wrong length", code_of(lambda: eu.decapsulate(KeyId=kem_key, EncapsulationAlgorithm="ML_KEM", SharedSecretCiphertextBlob=b"\x00" * 768)), "InvalidCiphertextException")

# Imported key material, several per key (section 3): wrapped with the `cryptography` package
# under the DER public key GetParametersForImport returns, exactly as for KMS.
def wrapped_import(kms, key_id, material, **extra):
    params = kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048")
    public = serialization.load_der_public_key(params["PublicKey"])
    oaep = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    return kms.import_key_material(
        KeyId=key_id,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=public.encrypt(material, oaep),
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
        **extra,
    )


imported = us.create_key(MultiRegion=True, Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
first = wrapped_import(us, imported, b"\x01" * 32)["KeyMaterialId"]
check("a material ID is 64 hex digits", len(first), 64)
us.replicate_key(KeyId=imported, ReplicaRegion="eu-west-1")
check("the same material in the replica has the same ID", wrapped_import(eu, imported, b"\x01" * 32)["KeyMaterialId"], first)
check(
    "new material into a replica",
    code_of(lambda: wrapped_import(eu, imported, b"\x02" * 32, ImportType="NEW_KEY_MATERIAL")),
    "UnsupportedOperationException",
)
check(
    "other material as EXISTING",
    code_of(lambda: wrapped_import(eu, imported, b"\x03" * 32, ImportType="EXISTING_KEY_MATERIAL")),
    "IncorrectKeyMaterialException",
)
params = us.get_parameters_for_import(KeyId=imported, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048")
check(
    "material not wrapped under the token's key",
    code_of(lambda: us.import_key_material(KeyId=imported, ImportToken=params["ImportToken"], EncryptedKeyMaterial=b"\x00" * 256, ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")),
    "InvalidCiphertextException",
)
second = wrapped_import(us, imported, b"\x02" * 32, ImportType="NEW_KEY_MATERIAL")["KeyMaterialId"]
states = {r["KeyMaterialId"]: r["KeyMaterialState"] for r in us.list_key_rotations(KeyId=imported, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]}
check("new material waits on the replicas", states, {first: "CURRENT", second: "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"})
check("a rotation before the replicas have it", code_of(lambda: us.rotate_key_on_demand(KeyId=imported)), "KMSInvalidStateException")
wrapped_import(eu, imported, b"\x02" * 32, ImportType="EXISTING_KEY_MATERIAL", KeyMaterialId=second)
us.rotate_key_on_demand(KeyId=imported)
check("the rotation made it current", eu.describe_key(KeyId=imported)["KeyMetadata"]["CurrentKeyMaterialId"], second)
check("rotations only, by default", len(us.list_key_rotations(KeyId=imported)["Rotations"]), 1)
print("all checks passed")
