/* What setting the client certificate per SSL costs against setting it once on the SSL_CTX (docs/BENCHMARKS.md, round five):
 * 20,000 x (SSL_new, SSL_use_certificate, SSL_use_PrivateKey, SSL_free) against 20,000 x (SSL_new, SSL_free) on a
 * context that holds the certificate, in process CPU time. No handshake, so it isolates the per-connection setup.
 * Usage: gcc -O2 bench/ssl-new-cost.c -o /tmp/ssl-new-cost -lssl -lcrypto && /tmp/ssl-new-cost PKI_DIR
 *   (PKI_DIR from `connburst certs --out PKI_DIR`: client.pem and client.key) */
#include <openssl/ssl.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_PROCESS_CPUTIME_ID,&t);return t.tv_sec+t.tv_nsec/1e9;}
int main(int argc,char**argv){
  const char*pki=argv[1]; char p[512];
  snprintf(p,512,"%s/client.pem",pki); FILE*f=fopen(p,"r"); X509*x=PEM_read_X509(f,0,0,0); fclose(f);
  snprintf(p,512,"%s/client.key",pki); f=fopen(p,"r"); EVP_PKEY*k=PEM_read_PrivateKey(f,0,0,0); fclose(f);
  SSL_CTX*a=SSL_CTX_new(TLS_client_method()); SSL_CTX*b=SSL_CTX_new(TLS_client_method());
  SSL_CTX_use_certificate(b,x); SSL_CTX_use_PrivateKey(b,k);
  int n=20000;
  for(int r=0;r<2;r++){
  double t0=now(); for(int i=0;i<n;i++){SSL*s=SSL_new(a); SSL_use_certificate(s,x); SSL_use_PrivateKey(s,k); SSL_free(s);} double t1=now();
  for(int i=0;i<n;i++){SSL*s=SSL_new(b); SSL_free(s);} double t2=now();
  for(int i=0;i<n;i++){SSL*s=SSL_new(a); SSL_free(s);} double t3=now();
  printf("per SSL: new+use_cert+use_key %.1f us, new (ctx cert) %.1f us, new (no cert) %.1f us\n",(t1-t0)/n*1e6,(t2-t1)/n*1e6,(t3-t2)/n*1e6);
  }
}
