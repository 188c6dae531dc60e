// The target exists for include/CMemory.h (static inline functions only).
