namespace Detector.Models.Kernels.Cuda;

/// <summary>
/// The CUDA C source of the elementwise and reduction kernels, compiled once per compute capability by NVRTC. Each
/// mirrors its <see cref="ReferenceKernels{T}"/> loop; activation codes are <see cref="Activation"/>'s values.
/// Row reductions use one thread per row and column sums one thread per column: the feature counts here are tens,
/// so a row fits one thread's loop, and the sums stay in a fixed order (deterministic, like the CPU path).
/// </summary>
internal static class CudaKernelSource
{
    /// <summary>Threads per block for the elementwise launches and the sum-of-squares reduction.</summary>
    public const int BlockSize = 256;

    /// <summary>The kernels' entry points, in the order <see cref="CudaKernels"/> loads them.</summary>
    public static readonly string[] EntryPoints =
    [
        "bias_activation", "activation_backward", "add_column_sums", "squared_error", "bce_with_logits",
        "scaled_difference", "sigmoid_difference", "standardize", "scale_in_place", "sum_of_squares", "adam_step",
    ];

    /// <summary>The source.</summary>
    public const string Source = """
        extern "C" {

        __device__ float act_apply(int act, float slope, float z) {
            switch (act) {
                case 1: return z > 0.f ? z : 0.f;
                case 2: return z > 0.f ? z : slope * z;
                case 3: return tanhf(z);
                case 4: return 1.f / (1.f + expf(-z));
                default: return z;
            }
        }

        __device__ float act_derivative(int act, float slope, float y) {
            switch (act) {
                case 1: return y > 0.f ? 1.f : 0.f;
                case 2: return y > 0.f ? 1.f : slope;
                case 3: return 1.f - y * y;
                case 4: return y * (1.f - y);
                default: return 1.f;
            }
        }

        __device__ long long index() { return (long long)blockIdx.x * blockDim.x + threadIdx.x; }

        // y[i,j] = act(y[i,j] + bias[j]): the epilogue of Linear after y = x·W.
        __global__ void bias_activation(float* y, const float* bias, int rows, int cols, int act, float slope) {
            long long i = index();
            if (i < (long long)rows * cols) y[i] = act_apply(act, slope, y[i] + bias[i % cols]);
        }

        __global__ void activation_backward(int act, float slope, const float* y, const float* dy, float* dz, int n) {
            long long i = index();
            if (i < n) dz[i] = dy[i] * act_derivative(act, slope, y[i]);
        }

        __global__ void add_column_sums(const float* x, int rows, int cols, float* sums) {
            long long j = index();
            if (j >= cols) return;
            float s = sums[j];
            for (int i = 0; i < rows; i++) s += x[(long long)i * cols + j];
            sums[j] = s;
        }

        __global__ void squared_error(const float* t, const float* r, int rows, int cols, float* e, float* means) {
            long long i = index();
            if (i >= rows) return;
            float sum = 0.f;
            for (int j = 0; j < cols; j++) {
                long long k = i * cols + j;
                float d = r[k] - t[k];
                e[k] = d * d;
                sum += d * d;
            }
            means[i] = sum / cols;
        }

        // softplus(z) - t·z, with softplus(z) = max(z, 0) + log(1 + e^-|z|).
        __global__ void bce_with_logits(const float* t, const float* z, int rows, int cols, float* e, float* means) {
            long long i = index();
            if (i >= rows) return;
            float sum = 0.f;
            for (int j = 0; j < cols; j++) {
                long long k = i * cols + j;
                float v = fmaxf(z[k], 0.f) + log1pf(expf(-fabsf(z[k]))) - t[k] * z[k];
                e[k] = v;
                sum += v;
            }
            means[i] = sum / cols;
        }

        __global__ void scaled_difference(const float* a, const float* b, float s, float* y, int n) {
            long long i = index();
            if (i < n) y[i] = s * (a[i] - b[i]);
        }

        __global__ void sigmoid_difference(const float* z, const float* t, float s, float* y, int n) {
            long long i = index();
            if (i < n) y[i] = s * (1.f / (1.f + expf(-z[i])) - t[i]);
        }

        __global__ void standardize(const float* x, int rows, int cols, const float* center, const float* inv, float* y) {
            long long i = index();
            if (i < (long long)rows * cols) { int j = (int)(i % cols); y[i] = (x[i] - center[j]) * inv[j]; }
        }

        __global__ void scale_in_place(float* x, float s, int n) {
            long long i = index();
            if (i < n) x[i] *= s;
        }

        // One block of 256 threads: strided partial sums, then a tree in shared memory (a fixed order).
        __global__ void sum_of_squares(const float* x, int n, float* out) {
            __shared__ float part[256];
            float acc = 0.f;
            for (int i = threadIdx.x; i < n; i += blockDim.x) acc += x[i] * x[i];
            part[threadIdx.x] = acc;
            __syncthreads();
            for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
                if (threadIdx.x < s) part[threadIdx.x] += part[threadIdx.x + s];
                __syncthreads();
            }
            if (threadIdx.x == 0) out[0] = part[0];
        }

        __global__ void adam_step(float* p, const float* g, float* m, float* v, int n, float lr, float b1, float b2,
                                  float eps, float decay, int decoupled, float c1, float c2) {
            long long i = index();
            if (i >= n) return;
            float grad = g[i];
            float w = p[i];
            if (decoupled) w -= lr * decay * w; else grad += decay * w;
            float mm = b1 * m[i] + (1.f - b1) * grad;
            float vv = b2 * v[i] + (1.f - b2) * grad * grad;
            m[i] = mm;
            v[i] = vv;
            p[i] = w - lr * (mm / c1) / (sqrtf(vv / c2) + eps);
        }

        }
        """;
}
