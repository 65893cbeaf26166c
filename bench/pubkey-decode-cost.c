/*
 * What OpenSSL 3.0 spends parsing one certificate, as libssl does for every certificate a peer sends, with and without
 * an ENGINE that hands RSA keys to libcrypto's built-in method (docs/DECISIONS.md, "Tls: RSA keys bypass OpenSSL 3.0's
 * key decoders"; docs/BENCHMARKS.md, round seven). CPU time of the process, microseconds per d2i_X509 and key fetch.
 * Build and run: gcc -O2 bench/pubkey-decode-cost.c -o /tmp/pubkey-decode-cost -lcrypto
 *                openssl x509 -in PKI/server.pem -outform DER -out /tmp/server.der
 *                /tmp/pubkey-decode-cost /tmp/server.der; /tmp/pubkey-decode-cost /tmp/server.der engine
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/engine.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int rsa_only(ENGINE *e, EVP_PKEY_METHOD **pmeth, const int **nids, int nid)
{
    static const int list[] = { EVP_PKEY_RSA };
    (void)e;
    if (pmeth == NULL) { *nids = list; return 1; }
    *pmeth = nid == EVP_PKEY_RSA ? (EVP_PKEY_METHOD *)EVP_PKEY_meth_find(EVP_PKEY_RSA) : NULL;
    return *pmeth != NULL;
}

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    unsigned char der[16384];
    FILE *f = argc > 1 ? fopen(argv[1], "rb") : NULL;
    if (f == NULL) { fprintf(stderr, "usage: %s CERT.der [engine]\n", argv[0]); return 2; }
    long len = (long)fread(der, 1, sizeof der, f);
    fclose(f);
    int engine = argc > 2 && strcmp(argv[2], "engine") == 0;
    if (engine) {
        ENGINE *e = ENGINE_new();
        if (!ENGINE_set_id(e, "rsa-only") || !ENGINE_set_pkey_meths(e, rsa_only) || !ENGINE_init(e)
            || !ENGINE_register_pkey_meths(e)) { fprintf(stderr, "cannot register the engine\n"); return 1; }
    }
    const int n = 5000;
    double t0 = cpu_seconds();
    for (int i = 0; i < n; i++) {
        const unsigned char *p = der;
        X509 *x = d2i_X509(NULL, &p, len);
        if (x == NULL || X509_get0_pubkey(x) == NULL) { fprintf(stderr, "cannot parse the certificate\n"); return 1; }
        X509_free(x);
    }
    printf("%s: %.1f us per certificate\n", engine ? "built-in RSA method" : "provider decoders", (cpu_seconds() - t0) / n * 1e6);
    return 0;
}
