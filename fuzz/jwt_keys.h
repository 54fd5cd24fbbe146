// File: jwt_keys.h
// Fixed signing keys of the JWT fuzz targets, made once with `openssl genpkey` for fuzzing
// only (never used by a server): the seed tokens in fuzz/corpus/jwt_token were signed with
// them, so a mutation of a seed meets the key that verifies the original.
#pragma once

namespace tessera::fuzz {

inline constexpr const char* kEs256Pem = R"pem(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgZIGR8oE9ELwKo0uA
wYlKt5ZLy3BisFA44DbhOk98sLGhRANCAASd/KNRkl91uryDZMf//7C2fStqRmxb
N0IcmfDBiZALZdT7Ml9YHOZR4fe/s7mzyXp2cXcbwF0yyr9l4GEo/osp
-----END PRIVATE KEY-----
)pem";
inline constexpr const char* kEd25519Pem = R"pem(-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIK7Lu7DMUs8398/xQ8rEnVqrHy+C787NsXluQBhNSrU4
-----END PRIVATE KEY-----
)pem";
inline constexpr const char* kRs256Pem = R"pem(-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDggZYRGPy+y1AR
LyWYJ3hAit21yMpIpKcTX4qqo+mwpwjwszXxPlXUPetrtGqt1jd5o91qqJ6OyPRn
mVKifs1dlsDodP7E8vnpZtjDBw1ys0u3EwcASEF/6aZ8c+YDrh8wdN11gA2KDkxJ
q//veS9D3gZP4pCCKfOI0xn7ozBttBBMBZTfhNgRlw+5YPIPs4eH9c/HWh1PbvLJ
vSLip/fVFeWphkzjrt0BkRGGQjEetyVkHxFiYn63LXiC07Wcv7q9mgRcwC6GYXmS
c3n64HzuifvhqvLOFHvgE0J7v/bJQL/zUiPSJAmRM8CB4/zM2FstNVnVUxm1u6gQ
017CRNgLAgMBAAECggEACrYevv3BCqiwTxmU7W+t/O+t3f9QqMBJA74dDhYtpKgw
34HAEvIFQ0/u/F+1Gp/WsWmK5gyvKqMrh16D2E080Xh2B2vplI5T3nnHNsrj2TNK
a1eE5SkNYvkhYIe2aOTfsmlTqvMAnQkgmlU9VqN4CKtpBAUMcwFluq35Fo311g4D
OFcBLckfg3dy6UUaNNmhfsruP/bYvZ+mpFhb7+lDjt+Lti7ibs9Ru1EWnivXLzRc
/Kas0+gnPAO+/H1xHuZGMvfiLC+fqW6i/Nlgh35pHWDA3V9ZvIvJWiyM52E0lzIT
hlaPh7SF2R7T+J6ZnQwr723AN4mAUOg2DDT7mNa8tQKBgQD4XOgQ6qlzEMSJF5C1
5GJTeT29v4YbveBFGOhBJVOhRVYuW+hpElO36UPYY5In7RWNkzRNAJTrIHx1s7LO
t6cSM6VhqHh7zzs/CroEpJWKjao3+PsgVVtRostBUPd2AlG1m70vahbeG2+O0g9W
NenxkbQf6NY4YJMLBgui4I+L7wKBgQDnaOGm4N6CK2madFiYQHQX7VXAmpbitI2G
MBZ6pAA7GIxnE8Quz2zP7F1idaeWbtcbpHYBeqcZSRQTc2IamK1s4BQCHsxszktu
rww2rLaq8uPPzB+HDHWaBm9dbczUvrEkCxRDRLErKWgGqtuhuEHT7HKBMnF1GvyD
9H6xYC/JpQKBgHNO1yN7f15/y2+GtFXuicQNhx/AeugIWMZb0QDl7pTyVxfA7f9S
VfIN58TgPawxw47uaBrUCU+8zmvrGTomQ/gMaF0V1ZJN3Ujglwquywr/yKah/x28
41/cgBd8Gtf8LalufAA2dhV6kWmylxJEh6/zILir5kFYfQxiKybcsWibAoGBAL9S
j34RXOXyTpVMrBL09wbxSny7UxSMgpX3HB65iRdS7IIsbX7mL+iYW30UGULe0Soh
hw8iARV+vgJ22x1yLbBecyxtmkY7KVKRl1983Gnp9z/OXCKjwndd6qUsKrWaE4rh
Phd/q5sr2L3qdTv3wzUbwG/g7L0NWskeU8EC7X+hAoGAGfay9gAtu3jJWxDyqdlp
HVdossW3vO31CUgFVz2QX6KezVjp4qBuVjGMLUKmYG51K1YrE9+CH6Kzm9as5tnd
39Br0kVtM59RAd/KUTOHBhR0tmB6u5G9oaEklUkWmnOTMNmMRgJP/TF1+PTiI/We
DiRAs4EpLp214rhz22agiJ4=
-----END PRIVATE KEY-----
)pem";

}  // namespace tessera::fuzz
